import pg from "pg";
import { z } from "zod";
import { ErrorCode, SignalboxError } from "../errors.ts";

/** The schema signalbox's tables live in unless told otherwise. */
export const DEFAULT_POSTGRES_SCHEMA = "signalbox";

/**
 * A schema name we accept: lower-case identifier, short enough that `<schema>_worker`
 * (graphile-worker's) and `<schema>_events` (the notify channel) stay within
 * PostgreSQL's 63-byte identifier limit.
 */
export const PostgresSchemaName = z
  .string()
  .regex(/^[a-z_][a-z0-9_]*$/, "a lower-case identifier: letters, digits, underscores")
  .max(48);

/**
 * Versioned migrations for the PostgreSQL store, applied in order inside the target
 * schema (`search_path` is set per transaction). Append new entries; never edit a
 * shipped one. `signalbox_migrations` records which versions a schema has.
 *
 * Times are `timestamptz(3)`: millisecond precision, exactly what the ISO strings
 * of the records carry, so a value read back compares equal to the one written.
 */
export const POSTGRES_MIGRATIONS: readonly string[] = [
  `CREATE TABLE runs (
     id text PRIMARY KEY,
     workflow text NOT NULL,
     version text NOT NULL,
     status text NOT NULL,
     input jsonb NOT NULL,
     output jsonb,
     error text,
     trigger text NOT NULL,
     dry_run boolean NOT NULL DEFAULT false,
     parent_run_id text,
     owner text,
     epoch integer NOT NULL DEFAULT 0,
     lease_until timestamptz(3),
     created_at timestamptz(3) NOT NULL DEFAULT now(),
     updated_at timestamptz(3) NOT NULL DEFAULT now(),
     finished_at timestamptz(3)
   );
   CREATE INDEX runs_created ON runs (created_at DESC, id DESC);
   CREATE INDEX runs_status ON runs (status, lease_until);
   CREATE INDEX runs_workflow_created ON runs (workflow, created_at);
   CREATE INDEX runs_parent ON runs (parent_run_id) WHERE parent_run_id IS NOT NULL;
   CREATE TABLE decisions (
     run_id text NOT NULL,
     key text NOT NULL,
     sequence integer NOT NULL,
     node text NOT NULL,
     kind text NOT NULL,
     decided_by text NOT NULL,
     at timestamptz(3) NOT NULL,
     record jsonb NOT NULL,
     PRIMARY KEY (run_id, key)
   );
   CREATE UNIQUE INDEX decisions_run_sequence ON decisions (run_id, sequence);
   CREATE INDEX decisions_kind_at ON decisions (kind, at);
   CREATE TABLE effects (
     key text PRIMARY KEY,
     position bigint GENERATED ALWAYS AS IDENTITY,
     run_id text NOT NULL,
     node text NOT NULL,
     name text NOT NULL,
     effect text NOT NULL,
     status text NOT NULL,
     epoch integer,
     args jsonb,
     result jsonb,
     error text,
     started_at timestamptz(3) NOT NULL,
     finished_at timestamptz(3)
   );
   CREATE INDEX effects_run ON effects (run_id, started_at, position);
   CREATE TABLE approvals (
     id text PRIMARY KEY,
     position bigint GENERATED ALWAYS AS IDENTITY,
     run_id text NOT NULL,
     node text NOT NULL,
     status text NOT NULL,
     message text NOT NULL,
     details jsonb,
     requested_at timestamptz(3) NOT NULL,
     deadline timestamptz(3),
     decided_by text,
     decided_at timestamptz(3),
     comment text
   );
   CREATE INDEX approvals_run ON approvals (run_id, requested_at, position);
   CREATE INDEX approvals_pending_deadline ON approvals (deadline) WHERE status = 'pending';
   CREATE TABLE run_events (
     run_id text NOT NULL,
     seq integer NOT NULL,
     event jsonb NOT NULL,
     at timestamptz(3) NOT NULL DEFAULT now(),
     PRIMARY KEY (run_id, seq)
   );`,
  // 2 (issue 11): a failed run's error as a structured record (code, message, node,
  // details); who asked for a run, so its approvals can refuse that person.
  `ALTER TABLE runs ADD COLUMN IF NOT EXISTS error_detail jsonb;
   ALTER TABLE runs ADD COLUMN IF NOT EXISTS requested_by text;`,
  // 3 (issue 17): replay, drift and labels read one route's decisions
  // over a time window; kept inputs and correction links live in the record itself.
  "CREATE INDEX IF NOT EXISTS decisions_node_at ON decisions (node, at);",
  // 4 (issue 13): the dashboard: runs by status or workflow, newest first, keyset-paged on
  // (created_at, id); runs filtered by who decided and by escalation.
  `CREATE INDEX IF NOT EXISTS runs_status_created ON runs (status, created_at DESC, id DESC);
   CREATE INDEX IF NOT EXISTS runs_workflow_created_id ON runs (workflow, created_at DESC, id DESC);
   CREATE INDEX IF NOT EXISTS decisions_run_decided_by ON decisions (run_id, decided_by);
   CREATE INDEX IF NOT EXISTS decisions_run_kind ON decisions (run_id, kind);`,
  // 5 (issue 14): triggers: each trigger event (webhook delivery, fire time, claimed file)
  // starts at most one run; the row is written with the run, in one transaction.
  `CREATE TABLE IF NOT EXISTS trigger_starts (
     kind text NOT NULL,
     name text NOT NULL,
     key text NOT NULL,
     run_id text NOT NULL,
     details jsonb,
     at timestamptz(3) NOT NULL DEFAULT now(),
     PRIMARY KEY (kind, name, key)
   );
   CREATE INDEX IF NOT EXISTS trigger_starts_run ON trigger_starts (run_id);`,
];

/**
 * Runs `work` while holding a session advisory lock named `name`, so set-up that is
 * not safe to run twice at once (another library's migrations) is serialized across
 * processes. Needs a second pool connection for `work` itself.
 */
export async function withAdvisoryLock<T>(
  pool: pg.Pool,
  name: string,
  work: () => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock(hashtext($1))", [name]);
    try {
      return await work();
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtext($1))", [name]);
    }
  } finally {
    client.release();
  }
}

/**
 * Brings `schema` to the latest {@link POSTGRES_MIGRATIONS} version in one
 * transaction, under a transaction advisory lock: two processes migrating at once
 * apply each migration exactly once. Returns the version the schema is at.
 * @throws SignalboxError CONFIG_INVALID for a bad schema name; STORE_ERROR when the
 * database is newer than this code.
 */
export async function migratePostgres(pool: pg.Pool, schema: string): Promise<number> {
  const name = parseSchemaName(schema);
  const quoted = pg.escapeIdentifier(name);
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`signalbox-migrate:${name}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
    await client.query(`SET LOCAL search_path TO ${quoted}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS signalbox_migrations (
         version integer PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const current = await currentVersion(client, name);
    for (let version = current + 1; version <= POSTGRES_MIGRATIONS.length; version += 1) {
      await client.query(POSTGRES_MIGRATIONS[version - 1] as string);
      await client.query("INSERT INTO signalbox_migrations (version) VALUES ($1)", [version]);
    }
    await client.query("COMMIT");
    return Math.max(current, POSTGRES_MIGRATIONS.length);
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Validates a schema name, as configuration. @throws SignalboxError CONFIG_INVALID */
export function parseSchemaName(schema: string): string {
  const parsed = PostgresSchemaName.safeParse(schema);
  if (parsed.success) return parsed.data;
  throw new SignalboxError(
    ErrorCode.ConfigInvalid,
    `PostgreSQL schema name "${schema}" is not usable: expected ${parsed.error.issues[0]?.message ?? "a lower-case identifier"}`,
    { data: { schema } },
  );
}

async function currentVersion(client: pg.PoolClient, schema: string): Promise<number> {
  const result = await client.query(
    "SELECT COALESCE(MAX(version), 0) AS version FROM signalbox_migrations",
  );
  const version = z.number().int().parse(result.rows[0]?.version);
  if (version > POSTGRES_MIGRATIONS.length) {
    throw new SignalboxError(
      ErrorCode.StoreError,
      `schema "${schema}" is at migration ${version}, newer than this signalbox knows (${POSTGRES_MIGRATIONS.length}); upgrade signalbox`,
      { data: { schema, version, known: POSTGRES_MIGRATIONS.length } },
    );
  }
  return version;
}
