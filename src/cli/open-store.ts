import { join } from "node:path";
import type { Logger } from "pino";
import type { RunQueue, RunStore } from "../store/types.ts";
import type { CliSettings } from "./environment.ts";

/**
 * The store and queue: PostgreSQL with graphile-worker wake-ups when a database URL
 * is set (many machines), else the SQLite file in the data directory, polled (one machine).
 * Both modules load only when chosen.
 */
export async function openStore(
  settings: Pick<
    CliSettings,
    "home" | "databaseUrl" | "databaseSchema" | "leaseMs" | "sqliteSynchronous"
  >,
  logger?: Logger,
): Promise<{ store: RunStore; queue?: RunQueue }> {
  if (settings.databaseUrl === undefined) {
    const { SqliteRunStore } = await import("../store/sqlite-store.ts");
    const synchronous = settings.sqliteSynchronous;
    return { store: new SqliteRunStore(join(settings.home, "signalbox.db"), { synchronous }) };
  }
  const { PostgresRunStore } = await import("../store/postgres-store.ts");
  const { createPostgresQueue } = await import("../store/postgres-queue.ts");
  const store = await PostgresRunStore.open({
    connectionString: settings.databaseUrl,
    schema: settings.databaseSchema,
    logger,
    // A transaction idle past the lease is a stopped driver's: end it, as the lease ends its claim.
    pool: settings.leaseMs ? { idle_in_transaction_session_timeout: settings.leaseMs } : undefined,
  });
  if (logger === undefined) return { store };
  const queue = createPostgresQueue({ pool: store.pool, schema: store.schema, logger });
  return { store, queue };
}
