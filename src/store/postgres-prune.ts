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

/**
 * PostgreSQL (PostgresSaver's `checkpoints`, `checkpoint_writes`, `checkpoint_blobs`):
 * data-modifying CTEs to chain after a CTE named `settled` (the fenced UPDATE of the
 * run, `$1` its id), so the pruning happens in the settling statement and only when
 * the run was settled. A blob survives when a kept checkpoint names its version.
 * All CTEs see the same snapshot, so `latest` is read before anything is deleted.
 * `latest` holds the newest root checkpoint and the newest of each sub-graph whose task
 * is pending under it, as in SQLite (see checkpoint-prune.ts).
 */
export function postgresPruneCtes(schema: string): string {
  const table = (name: string) => `${pg.escapeIdentifier(schema)}.${name}`;
  const checkpoints = table("checkpoints");
  return `,
  latest AS (
    SELECT checkpoint_ns, max(checkpoint_id) AS checkpoint_id FROM ${checkpoints}
      WHERE thread_id = $1 AND EXISTS (SELECT 1 FROM settled) AND (checkpoint_ns = ''
        OR split_part(split_part(checkpoint_ns, '|', 1), ':', 2) IN (
          SELECT w.task_id FROM ${table("checkpoint_writes")} w
            WHERE w.thread_id = $1 AND w.checkpoint_ns = '' AND w.checkpoint_id = (
              SELECT max(checkpoint_id) FROM ${checkpoints}
                WHERE thread_id = $1 AND checkpoint_ns = '')))
      GROUP BY checkpoint_ns),
  pruned_writes AS (
    DELETE FROM ${table("checkpoint_writes")} w
      WHERE w.thread_id = $1 AND EXISTS (SELECT 1 FROM settled) AND NOT EXISTS (
        SELECT 1 FROM latest l
          WHERE l.checkpoint_ns = w.checkpoint_ns AND l.checkpoint_id = w.checkpoint_id)),
  pruned_checkpoints AS (
    DELETE FROM ${checkpoints} c
      WHERE c.thread_id = $1 AND EXISTS (SELECT 1 FROM settled) AND NOT EXISTS (
        SELECT 1 FROM latest l
          WHERE l.checkpoint_ns = c.checkpoint_ns AND l.checkpoint_id = c.checkpoint_id)),
  pruned_blobs AS (
    DELETE FROM ${table("checkpoint_blobs")} b
      WHERE b.thread_id = $1 AND EXISTS (SELECT 1 FROM settled) AND NOT EXISTS (
        SELECT 1 FROM ${checkpoints} c JOIN latest l
            ON l.checkpoint_ns = c.checkpoint_ns AND l.checkpoint_id = c.checkpoint_id
          WHERE c.thread_id = $1 AND c.checkpoint_ns = b.checkpoint_ns
            AND c.checkpoint -> 'channel_versions' ->> b.channel = b.version))`;
}
