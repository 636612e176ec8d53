import pg from "pg";
import { inTransaction, type PostgresContext, query } from "./postgres-sql.ts";
import type { PruneFilter } from "./types.ts";

const DEFAULT_BATCH = 500;

function where(filter: PruneFilter): { clause: string; params: unknown[] } {
  const params: unknown[] = [[...filter.statuses]];
  const conditions = ["status = ANY($1::text[])"];
  const add = (sql: (placeholder: string) => string, value: unknown) => {
    params.push(value);
    conditions.push(sql(`$${params.length}`));
  };
  if (filter.before !== undefined) add((p) => `updated_at < ${p}::timestamptz`, filter.before);
  if (filter.workflow !== undefined) add((p) => `workflow = ${p}`, filter.workflow);
  if (filter.trigger !== undefined) add((p) => `trigger = ${p}`, filter.trigger);
  return { clause: conditions.join(" AND "), params };
}

/**
 * Removes matching runs and their rows (signalbox's tables and PostgresSaver's, in
 * `schema`), one transaction per batch. The batch's rows are locked `FOR UPDATE SKIP
 * LOCKED` as they are chosen, so a run another transaction is changing (an approval
 * being decided, say) is left for later, and nothing else can change them until commit.
 */
export async function prunePostgresRuns(
  context: PostgresContext,
  schema: string,
  filter: PruneFilter,
): Promise<{ runs: number }> {
  if (filter.statuses.length === 0) return { runs: 0 };
  const { clause, params } = where(filter);
  const { runs } = context.tables;
  if (filter.dryRun === true) {
    const [row] = await query(
      context.pool,
      `SELECT count(*)::int AS n FROM ${runs} WHERE ${clause}`,
      params,
    );
    return { runs: (row as { n: number }).n };
  }
  const batch = filter.batchSize ?? DEFAULT_BATCH;
  const saver = (table: string) => `${pg.escapeIdentifier(schema)}.${table}`;
  const byRun = [
    context.tables.decisions,
    context.tables.effects,
    context.tables.approvals,
    context.tables.events,
  ];
  const byThread = ["checkpoint_writes", "checkpoint_blobs", "checkpoints"].map(saver);
  let total = 0;
  for (;;) {
    const removed = await inTransaction(context.pool, async (client) => {
      const chosen = await query(
        client,
        `SELECT id FROM ${runs} WHERE ${clause} ORDER BY updated_at LIMIT $${params.length + 1}
           FOR UPDATE SKIP LOCKED`,
        [...params, batch],
      );
      const ids = chosen.map((row) => (row as { id: string }).id);
      if (ids.length === 0) return 0;
      for (const table of byRun)
        await client.query(`DELETE FROM ${table} WHERE run_id = ANY($1::text[])`, [ids]);
      for (const table of byThread)
        await client.query(`DELETE FROM ${table} WHERE thread_id = ANY($1::text[])`, [ids]);
      await client.query(`DELETE FROM ${runs} WHERE id = ANY($1::text[])`, [ids]);
      return ids.length;
    });
    total += removed;
    if (removed < batch) return { runs: total };
  }
}
