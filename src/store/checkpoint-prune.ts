/**
 * Which checkpoints a store keeps of a run that pauses or settles.
 * - `latest` (default): only the newest checkpoint of each namespace and its pending
 *   writes, which is all that resume, recovery and `show` read. The older ones are
 *   deleted in the transaction that settles the run (issue 12: a run paused at
 *   approval kept 8 checkpoints and 18 writes rows, 89% of its bytes).
 * - `full`: every checkpoint stays, for LangGraph time travel (`getStateHistory`, forks).
 */
export type CheckpointHistory = "latest" | "full";

const SQLITE_SAVER_TABLES = ["writes", "checkpoints"] as const;

/** The newest checkpoint per namespace of the run's thread (SqliteSaver's ids sort by time). */
const SQLITE_LATEST = `SELECT checkpoint_ns, MAX(checkpoint_id) FROM checkpoints
  WHERE thread_id = @run GROUP BY checkpoint_ns`;

/**
 * SQLite (SqliteSaver's `checkpoints` and `writes`): keeps the newest checkpoint per
 * namespace and its writes, and deletes the rest (and nothing of other runs). The kept rows are moved, not left
 * in place: both tables are rowid tables filled in insertion order, so a row left
 * among deleted ones would pin a mostly empty page per run forever (measured: 8 KiB
 * per paused run for 2.5 KiB of data); moved to the end, they share pages and the
 * emptied pages go back to the free list. Run inside the settling transaction, while
 * the run is still held (the fence triggers check inserts).
 */
export const SQLITE_PRUNE_CHECKPOINTS = {
  /** Per connection, once (temporary tables holding the kept rows while they move). */
  setup: SQLITE_SAVER_TABLES.map(
    (table) =>
      `CREATE TEMP TABLE IF NOT EXISTS signalbox_kept_${table} AS SELECT * FROM main.${table} WHERE 0`,
  ),
  /** Per pruned run, with `@run` its id; `writes` first, while `checkpoints` still says which to keep. */
  statements: SQLITE_SAVER_TABLES.flatMap((table) => [
    `INSERT INTO temp.signalbox_kept_${table} SELECT * FROM main.${table}
       WHERE thread_id = @run AND (checkpoint_ns, checkpoint_id) IN (${SQLITE_LATEST})`,
    `DELETE FROM main.${table} WHERE thread_id = @run`,
    `INSERT INTO main.${table} SELECT * FROM temp.signalbox_kept_${table}`,
    `DELETE FROM temp.signalbox_kept_${table}`,
  ]),
};
