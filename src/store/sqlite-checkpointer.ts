import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import type Database from "better-sqlite3";
import { GuardedCheckpointer } from "./guarded-checkpointer.ts";
import { CHECKPOINT_FENCE_MESSAGE, leaseContext } from "./lease-context.ts";
import { leaseLost } from "./lease-lost.ts";
import type { SqliteConnection } from "./sqlite-connection.ts";

/**
 * LangGraph's SqliteSaver with its writes fenced: temporary triggers on its two tables
 * refuse a checkpoint written under a lease (see {@link leaseContext}) that no longer
 * holds its run. The check runs inside the insert, under SQLite's write lock, so no
 * claim can commit between the check and the write.
 */
class FencedSqliteSaver extends SqliteSaver {
  install(): void {
    this.setup();
    const db = this.db;
    db.function(
      "signalbox_lease_owner",
      { deterministic: false },
      () => leaseContext.getStore()?.owner ?? null,
    );
    db.function(
      "signalbox_lease_epoch",
      { deterministic: false },
      () => leaseContext.getStore()?.epoch ?? null,
    );
    for (const table of ["checkpoints", "writes"]) {
      db.exec(
        `CREATE TEMP TRIGGER IF NOT EXISTS signalbox_fence_${table} BEFORE INSERT ON main.${table}
           WHEN signalbox_lease_owner() IS NOT NULL AND NOT EXISTS (
             SELECT 1 FROM main.runs WHERE id = NEW.thread_id AND owner = signalbox_lease_owner()
               AND epoch = signalbox_lease_epoch() AND status = 'running')
         BEGIN SELECT RAISE(ABORT, '${CHECKPOINT_FENCE_MESSAGE}'); END`,
      );
    }
  }
}

/**
 * The connection's database as the saver sees it, its INSERTs prepared once, in the
 * connection's statement cache. SqliteSaver prepares its INSERT again on every `put` and
 * `putWrites`, and on our file each prepare also compiles the fence trigger: preparing
 * was 0.88 ms of CPU per MCP call of a one-step workflow against 0.47 ms for the bare saver
 * (issue 12, `node --cpu-prof`). Those statements only `run`, to completion, so one per SQL
 * text is safe to share. Other SQL (`list` builds its text per call, limit inlined) is
 * prepared as before; every other member is the database's own (inherited from it, on the
 * same native handle).
 */
function withCachedInserts(connection: SqliteConnection): Database.Database {
  const db = Object.create(connection.db) as Database.Database;
  db.prepare = ((sql: string) =>
    sql.trimStart().startsWith("INSERT")
      ? connection.statement(sql)
      : connection.db.prepare(sql)) as Database.Database["prepare"];
  return db;
}

/** A checkpoint write the fence trigger refused is LEASE_LOST, as every other fenced write. */
function refusedByFence(error: unknown): never {
  const lease = leaseContext.getStore();
  if (
    lease !== undefined &&
    error instanceof Error &&
    error.message.includes(CHECKPOINT_FENCE_MESSAGE)
  )
    throw leaseLost(lease);
  throw error;
}

/**
 * The SQLite store's checkpointer: the fenced saver on the store's own connection, each
 * call retried while the database is busy. Loaded when a run is first driven.
 *
 * Installing creates LangGraph's tables in a database that has none yet, which needs the
 * write lock: while another process holds it (a fleet whose processes all drive their
 * first run at once) that is SQLITE_BUSY, retried like every other write. Each statement
 * of the install is idempotent, so a retry after a partial install is safe.
 */
export async function createSqliteCheckpointer(
  connection: SqliteConnection,
): Promise<GuardedCheckpointer> {
  const saver = new FencedSqliteSaver(withCachedInserts(connection));
  await connection.retryBusy(() => saver.install());
  return new GuardedCheckpointer(saver, {
    attempt: (operation) => connection.retryBusy(operation).catch(refusedByFence),
  });
}
