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
    | "home"
    | "databaseUrl"
    | "databaseSchema"
    | "leaseMs"
    | "sqliteSynchronous"
    | "checkpointHistory"
  >,
  logger?: Logger,
): Promise<{ store: RunStore; queue?: RunQueue }> {
  if (settings.databaseUrl === undefined) {
    const { SqliteRunStore } = await import("../store/sqlite-store.ts");
    const synchronous = settings.sqliteSynchronous;
    const checkpointHistory = settings.checkpointHistory;
    const options = { synchronous, checkpointHistory };
    return { store: new SqliteRunStore(join(settings.home, "signalbox.db"), options) };
  }
  const { openPostgres } = await import("../store/open-postgres.ts");
  return openPostgres({
    connectionString: settings.databaseUrl,
    schema: settings.databaseSchema,
    logger,
    leaseMs: settings.leaseMs,
    checkpointHistory: settings.checkpointHistory,
  });
}
