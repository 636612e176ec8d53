/**
 * Where the queue benchmark keeps its runs, handed from the enqueuing process to its
 * worker processes through the environment: a SQLite file in a temporary home, or a
 * fresh PostgreSQL schema (graphile-worker's tables in `<schema>_worker`), dropped after.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import type { Logger } from "pino";
import { openPostgres } from "../src/store/open-postgres.ts";
import { SqliteRunStore } from "../src/store/sqlite-store.ts";
import type { RunQueue, RunStore } from "../src/store/types.ts";
import { processCpuMs } from "./proc-cpu.ts";

export interface QueueBackend {
  readonly kind: "sqlite" | "postgres";
  /** A temporary directory: `support.db` (support_triage's downstream data), and `signalbox.db` on SQLite. */
  readonly home: string;
  readonly databaseUrl?: string;
  readonly schema?: string;
}

const ENVIRONMENT = {
  home: "QUEUE_BENCH_HOME",
  databaseUrl: "QUEUE_BENCH_DATABASE_URL",
  schema: "QUEUE_BENCH_SCHEMA",
} as const;

/** The environment that hands `backend` to a worker process. */
export function backendEnvironment(backend: QueueBackend): Record<string, string> {
  const environment: Record<string, string> = { [ENVIRONMENT.home]: backend.home };
  if (backend.databaseUrl !== undefined) environment[ENVIRONMENT.databaseUrl] = backend.databaseUrl;
  if (backend.schema !== undefined) environment[ENVIRONMENT.schema] = backend.schema;
  return environment;
}

/** The backend a worker process was handed (see {@link backendEnvironment}). */
export function backendFromEnvironment(): QueueBackend {
  const home = process.env[ENVIRONMENT.home];
  if (home === undefined) throw new Error(`${ENVIRONMENT.home} is not set`);
  const databaseUrl = process.env[ENVIRONMENT.databaseUrl];
  const schema = process.env[ENVIRONMENT.schema];
  return databaseUrl !== undefined && schema !== undefined
    ? { kind: "postgres", home, databaseUrl, schema }
    : { kind: "sqlite", home };
}

/** Opens the store, and on PostgreSQL its graphile-worker queue (both with their shipped defaults). */
export async function openBackend(
  backend: QueueBackend,
  logger?: Logger,
): Promise<{ store: RunStore; queue?: RunQueue }> {
  if (backend.databaseUrl === undefined || backend.schema === undefined)
    return { store: new SqliteRunStore(join(backend.home, "signalbox.db")) };
  return openPostgres({ connectionString: backend.databaseUrl, schema: backend.schema, logger });
}

/** A new backend of `kind`; `dispose` drops its schemas and removes its home. */
export function createBackend(
  kind: "sqlite" | "postgres",
  databaseUrl: string,
): QueueBackend & { dispose(): Promise<void> } {
  const home = mkdtempSync(join(tmpdir(), "signalbox-bench-queue-"));
  const removeHome = () => rmSync(home, { recursive: true, force: true });
  if (kind === "sqlite") return { kind, home, dispose: async () => removeHome() };
  const schema = `sb_bench_queue_${randomBytes(4).toString("hex")}`;
  // Every connection of this backend names itself after the schema, so its server CPU can be found.
  const named = new URL(databaseUrl);
  named.searchParams.set("application_name", schema);
  const dispose = async () => {
    const client = new pg.Client({ connectionString: databaseUrl });
    try {
      await client.connect();
      // A connection a killed worker left behind must not make the drop wait forever.
      await client.query("SET lock_timeout = '15s'");
      for (const name of [schema, `${schema}_worker`])
        await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(name)} CASCADE`);
    } finally {
      await client.end().catch(() => undefined);
      removeHome();
    }
  };
  return { kind, home, databaseUrl: named.toString(), schema, dispose };
}

/**
 * Starts sampling (every 200 ms, from /proc) the CPU time of the database server processes
 * serving `backend`'s connections; `stop` returns it in ms. On SQLite, and for a server on
 * another machine, there is nothing to sample (NaN): SQLite works inside the workers.
 */
export async function sampleDatabaseCpu(
  backend: QueueBackend,
): Promise<{ stop(): Promise<number> }> {
  if (backend.databaseUrl === undefined) return { stop: async () => Number.NaN };
  const client = new pg.Client({ connectionString: backend.databaseUrl });
  await client.connect();
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  const sample = async () => {
    const { rows } = await client.query(
      "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()",
      [backend.schema],
    );
    for (const { pid } of rows as { pid: number }[]) {
      const cpu = processCpuMs(pid);
      if (Number.isNaN(cpu)) continue;
      if (!first.has(pid)) first.set(pid, cpu);
      last.set(pid, cpu);
    }
  };
  await sample();
  let sampling = true;
  const loop = (async () => {
    while (sampling) {
      await sleep(200);
      await sample().catch(() => undefined);
    }
  })();
  return {
    async stop() {
      sampling = false;
      await loop;
      await sample().catch(() => undefined);
      await client.end().catch(() => undefined);
      if (first.size === 0) return Number.NaN;
      return [...last].reduce((sum, [pid, cpu]) => sum + cpu - (first.get(pid) ?? cpu), 0);
    },
  };
}
