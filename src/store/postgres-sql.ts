import pg from "pg";
import type { Logger } from "pino";
import { ErrorCode, SignalboxError } from "../errors.ts";
import { leaseLost } from "./lease-lost.ts";
import type { Lease } from "./types.ts";

/** Schema-qualified, quoted table names of one store. */
export interface Tables {
  readonly runs: string;
  readonly decisions: string;
  readonly effects: string;
  readonly approvals: string;
  readonly events: string;
  readonly triggerStarts: string;
}

/** What every query helper of the PostgreSQL store works with. */
export interface PostgresContext {
  readonly pool: pg.Pool;
  readonly tables: Tables;
  /** The LISTEN/NOTIFY channel event appends notify (payload: the run id). */
  readonly eventsChannel: string;
}

/** Something that runs a query: the pool, or a client inside a transaction. */
export type Queryable = pg.Pool | pg.PoolClient;

/**
 * Logs connection errors instead of crashing: an idle pooled connection that fails
 * emits on the pool, a checked-out one on its client, and an unhandled `error` event
 * ends the process. (graphile-worker warns about pools without both handlers.)
 */
export function guardPool(pool: pg.Pool, logger: Logger): pg.Pool {
  pool.on("error", (error) => logger.warn({ error }, "idle PostgreSQL connection failed"));
  pool.on("connect", (client) => {
    client.on("error", (error) => logger.warn({ error }, "PostgreSQL connection failed"));
  });
  return pool;
}

/** The table names of the store living in `schema`. */
export function qualify(schema: string): Tables {
  const prefix = pg.escapeIdentifier(schema);
  return {
    runs: `${prefix}.runs`,
    decisions: `${prefix}.decisions`,
    effects: `${prefix}.effects`,
    approvals: `${prefix}.approvals`,
    events: `${prefix}.run_events`,
    triggerStarts: `${prefix}.trigger_starts`,
  };
}

/** Rows of one query, untyped until a row schema parses them. */
export async function query(
  target: Queryable,
  text: string,
  values: readonly unknown[] = [],
): Promise<unknown[]> {
  const result = await target.query(text, [...values]);
  return result.rows;
}

/**
 * Runs `work` in one transaction on one pooled connection: committed when it
 * returns, rolled back when it throws (the connection is discarded if even the
 * rollback fails).
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    client.release();
    return result;
  } catch (error) {
    try {
      await client.query("ROLLBACK");
      client.release();
    } catch (rollbackError) {
      client.release(rollbackError instanceof Error ? rollbackError : true);
    }
    throw error;
  }
}

/**
 * The fence: locks the run's row while it is `running` under this owner and epoch,
 * so no claim or cancel can commit before the caller's transaction does. `SHARE`
 * lets fenced writes of one driver proceed side by side; `UPDATE` serializes them.
 * @throws SignalboxError LEASE_LOST when the lease is no longer the run's.
 */
export async function lockLease(
  client: pg.PoolClient,
  tables: Tables,
  lease: Lease,
  mode: "SHARE" | "UPDATE" = "SHARE",
): Promise<void> {
  const result = await client.query(
    `SELECT 1 FROM ${tables.runs}
       WHERE id = $1 AND status = 'running' AND owner = $2 AND epoch = $3 FOR ${mode}`,
    [lease.runId, lease.owner, lease.epoch],
  );
  if (result.rowCount === 0) throw leaseLost(lease);
}

/**
 * Serializes numbering (decision sequences, event seqs) of one run until the
 * transaction ends; works whether or not the run row exists.
 */
export async function lockNumbering(
  client: pg.PoolClient,
  table: string,
  runId: string,
): Promise<void> {
  await client.query("SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))", [table, runId]);
}

/**
 * A lease only fences writes to its own run; writing another run's rows with it
 * would bypass that run's fence.
 * @throws SignalboxError INVALID_TRANSITION
 */
export function assertSameRun(lease: Lease, runId: string): void {
  if (lease.runId === runId) return;
  throw new SignalboxError(
    ErrorCode.InvalidTransition,
    `a lease on run ${lease.runId} cannot write rows of run ${runId}`,
    { data: { leaseRunId: lease.runId, runId } },
  );
}

/** A JSON value as a query parameter for a `jsonb` column; undefined becomes SQL NULL. */
export function jsonParam(value: unknown): string | null {
  return value === undefined ? null : (JSON.stringify(value) ?? null);
}

/** True for PostgreSQL's unique-violation error. */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && "code" in error && error.code === "23505";
}
