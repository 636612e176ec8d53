import type { SqliteConnection } from "./sqlite-connection.ts";
import type { PruneFilter } from "./types.ts";

/** signalbox's tables keyed by run, and the checkpointer's keyed by thread (= run id). */
const BY_RUN = ["decisions", "effects", "approvals", "run_events"] as const;
const BY_THREAD = ["writes", "checkpoints"] as const;
const DEFAULT_BATCH = 500;

function where(filter: PruneFilter): { clause: string; params: unknown[] } {
  const conditions = [`status IN (${filter.statuses.map(() => "?").join(", ")})`];
  const params: unknown[] = [...filter.statuses];
  if (filter.before !== undefined) conditions.push("updated_at < ?") && params.push(filter.before);
  if (filter.workflow !== undefined)
    conditions.push("workflow = ?") && params.push(filter.workflow);
  if (filter.trigger !== undefined) conditions.push("trigger = ?") && params.push(filter.trigger);
  return { clause: conditions.join(" AND "), params };
}

/**
 * Removes matching runs and their rows, {@link PruneFilter.batchSize} runs per
 * `BEGIN IMMEDIATE` transaction: the batch is chosen inside the transaction that
 * deletes it, so a run that changed status meanwhile is not in it.
 */
export async function pruneSqliteRuns(
  connection: SqliteConnection,
  filter: PruneFilter,
): Promise<{ runs: number }> {
  if (filter.statuses.length === 0) return { runs: 0 };
  const { clause, params } = where(filter);
  if (filter.dryRun === true) {
    const row = connection
      .statement(`SELECT COUNT(*) AS n FROM runs WHERE ${clause}`)
      .get(...params);
    return { runs: (row as { n: number }).n };
  }
  const batch = filter.batchSize ?? DEFAULT_BATCH;
  let total = 0;
  for (;;) {
    const removed = await connection.write(() => {
      const ids = connection
        .statement(`SELECT id FROM runs WHERE ${clause} ORDER BY updated_at LIMIT ?`)
        .all(...params, batch)
        .map((row) => (row as { id: string }).id);
      if (ids.length === 0) return 0;
      const list = JSON.stringify(ids);
      const inList = "IN (SELECT value FROM json_each(?))";
      for (const table of BY_RUN)
        connection.statement(`DELETE FROM ${table} WHERE run_id ${inList}`).run(list);
      for (const table of BY_THREAD)
        connection.statement(`DELETE FROM ${table} WHERE thread_id ${inList}`).run(list);
      connection.statement(`DELETE FROM runs WHERE id ${inList}`).run(list);
      return ids.length;
    });
    total += removed;
    if (removed < batch) return { runs: total };
  }
}
