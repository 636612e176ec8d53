/**
 * Which checkpoints a store keeps of a run that pauses or settles.
 * - `latest` (default): only the newest root checkpoint and its pending writes, and the
 *   newest of each sub-graph a pending task of it paused or failed in, which is all that
 *   resume, recovery and `show` read. The older ones are
 *   deleted in the transaction that settles the run (issue 12: a run paused at
 *   approval kept 8 checkpoints and 18 writes rows, 89% of its bytes).
 * - `full`: every checkpoint stays, for LangGraph time travel (`getStateHistory`, forks).
 */
export type CheckpointHistory = "latest" | "full";

const SQLITE_SAVER_TABLES = ["writes", "checkpoints"] as const;

/**
 * The task ids with writes under the run's newest root checkpoint: the tasks a resume
 * runs again or takes the writes of. A sub-graph's namespace is `node:task id`, so its
 * checkpoints matter only while that task is one of these (it paused or failed inside);
 * a finished sub-graph's are read by nothing once the parent moved on.
 */
const SQLITE_PENDING_TASKS = `SELECT task_id FROM writes WHERE thread_id = @run AND checkpoint_ns = ''
  AND checkpoint_id = (SELECT MAX(checkpoint_id) FROM checkpoints
    WHERE thread_id = @run AND checkpoint_ns = '')`;

/** The task id of a namespace's first segment (`node:task|node:task…`; names hold no `:` or `|`). */
const SQLITE_NS_TASK = `substr(substr(checkpoint_ns, 1, instr(checkpoint_ns || '|', '|') - 1),
  instr(checkpoint_ns, ':') + 1)`;

/**
 * The newest checkpoint per namespace of the run's thread (SqliteSaver's ids sort by
 * time): of the root, and of the sub-graphs of its pending tasks.
 */
const SQLITE_LATEST = `SELECT checkpoint_ns, MAX(checkpoint_id) FROM checkpoints
  WHERE thread_id = @run AND (checkpoint_ns = '' OR ${SQLITE_NS_TASK} IN (${SQLITE_PENDING_TASKS}))
  GROUP BY checkpoint_ns`;

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
