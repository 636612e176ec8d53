import { z } from "zod";
import { ErrorCode, SignalboxError } from "../errors.ts";
import { leaseLost } from "./lease-lost.ts";
import { RUN_COLUMNS, toRun, toTriggerStart } from "./postgres-rows.ts";
import {
  inTransaction,
  isUniqueViolation,
  jsonParam,
  type PostgresContext,
  type Queryable,
  query,
  type Tables,
} from "./postgres-sql.ts";
import { cancelledFailure } from "./run-failure.ts";
import {
  type Claim,
  FINAL_STATUSES,
  type Lease,
  type NewRun,
  type RunPatch,
  type RunRecord,
  type RunSettlement,
  type TriggerKind,
  type TriggerStart,
  type TriggerStartRecord,
} from "./types.ts";

// The run lifecycle of the PostgreSQL store. Every ownership decision compares
// against the database's now(): worker clocks never decide who holds a run.

const LeaseMs = z.number().positive().finite();
const SETTLED_FINAL = ["succeeded", "failed", "compensated"];
const CLAIMABLE = `(status = 'queued' OR (status = 'running' AND lease_until < now()))`;

/** @throws SignalboxError STORE_ERROR when a run with this id exists. */
export function createRun(context: PostgresContext, run: NewRun): Promise<RunRecord> {
  return insertRun(context.pool, context.tables, run);
}

async function insertRun(target: Queryable, tables: Tables, run: NewRun): Promise<RunRecord> {
  try {
    const rows = await query(
      target,
      `INSERT INTO ${tables.runs}
         (id, workflow, version, status, input, trigger, dry_run, parent_run_id, owner, epoch, lease_until,
          requested_by)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10,
         CASE WHEN $9::text IS NULL THEN NULL
           ELSE now() + make_interval(secs => $11::double precision / 1000) END, $12)
       RETURNING ${RUN_COLUMNS}`,
      [
        run.id,
        run.workflow,
        run.version,
        run.claim ? "running" : (run.status ?? "queued"),
        jsonParam(run.input) ?? "null",
        run.trigger,
        run.dryRun,
        run.parentRunId ?? null,
        run.claim?.owner ?? null,
        run.claim ? 1 : 0,
        run.claim?.leaseMs ?? 0,
        run.requestedBy ?? null,
      ],
    );
    return toRun(rows[0]);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    throw new SignalboxError(ErrorCode.StoreError, `a run with id ${run.id} already exists`, {
      data: { runId: run.id },
      cause: error,
    });
  }
}

/**
 * One transaction: the trigger event's row, then the run. A concurrent start of the
 * same event waits on the primary key and, once the first commits, inserts nothing;
 * the first run is then read back (READ COMMITTED: the next statement sees it).
 */
export function createTriggeredRun(
  context: PostgresContext,
  run: NewRun,
  start: TriggerStart,
): Promise<{ readonly run: RunRecord; readonly created: boolean }> {
  const { tables } = context;
  return inTransaction(context.pool, async (client) => {
    const inserted = await query(
      client,
      `INSERT INTO ${tables.triggerStarts} (kind, name, key, run_id, details)
         VALUES ($1, $2, $3, $4, $5::jsonb) ON CONFLICT DO NOTHING RETURNING run_id`,
      [start.kind, start.name, start.key, run.id, jsonParam(start.details) ?? null],
    );
    if (inserted.length > 0) return { run: await insertRun(client, tables, run), created: true };
    const rows = await query(
      client,
      `SELECT ${RUN_COLUMNS} FROM ${tables.runs} WHERE id =
         (SELECT run_id FROM ${tables.triggerStarts} WHERE kind = $1 AND name = $2 AND key = $3)`,
      [start.kind, start.name, start.key],
    );
    return { run: toRun(rows[0]), created: false };
  });
}

const TRIGGER_COLUMNS = "kind, name, key, run_id, details::text AS details, at";

export async function getTriggerStart(
  context: PostgresContext,
  runId: string,
): Promise<TriggerStartRecord | undefined> {
  const rows = await query(
    context.pool,
    `SELECT ${TRIGGER_COLUMNS} FROM ${context.tables.triggerStarts} WHERE run_id = $1`,
    [runId],
  );
  return rows[0] === undefined ? undefined : toTriggerStart(rows[0]);
}

export async function lastTriggerStart(
  context: PostgresContext,
  kind: TriggerKind,
  name: string,
): Promise<TriggerStartRecord | undefined> {
  const rows = await query(
    context.pool,
    `SELECT ${TRIGGER_COLUMNS} FROM ${context.tables.triggerStarts}
       WHERE kind = $1 AND name = $2 ORDER BY key DESC LIMIT 1`,
    [kind, name],
  );
  return rows[0] === undefined ? undefined : toTriggerStart(rows[0]);
}

export async function getRun(context: PostgresContext, id: string): Promise<RunRecord | undefined> {
  const rows = await query(
    context.pool,
    `SELECT ${RUN_COLUMNS} FROM ${context.tables.runs} WHERE id = $1`,
    [id],
  );
  return rows[0] === undefined ? undefined : toRun(rows[0]);
}

/** @throws SignalboxError RUN_NOT_FOUND */
export async function updateRun(
  context: PostgresContext,
  id: string,
  patch: RunPatch,
): Promise<RunRecord> {
  const sets = ["updated_at = now()"];
  const params: unknown[] = [id];
  const set = (column: string, value: unknown, cast = "") => {
    params.push(value);
    sets.push(`${column} = $${params.length}${cast}`);
  };
  if (patch.status !== undefined) set("status", patch.status);
  if ("output" in patch) set("output", jsonParam(patch.output), "::jsonb");
  if ("error" in patch) set("error", patch.error ?? null);
  if ("finishedAt" in patch) set("finished_at", patch.finishedAt ?? null, "::timestamptz");
  const rows = await query(
    context.pool,
    `UPDATE ${context.tables.runs} SET ${sets.join(", ")} WHERE id = $1 RETURNING ${RUN_COLUMNS}`,
    params,
  );
  if (rows[0] === undefined)
    throw new SignalboxError(ErrorCode.RunNotFound, `no run with id ${id}`, {
      data: { runId: id },
    });
  return toRun(rows[0]);
}

/** One statement: the WHERE decides claimability, so of concurrent claims exactly one matches. */
export async function claimRun(
  context: PostgresContext,
  id: string,
  claim: Claim,
): Promise<RunRecord | undefined> {
  const rows = await query(
    context.pool,
    `UPDATE ${context.tables.runs}
       SET status = 'running', owner = $2, epoch = epoch + 1, updated_at = now(),
           lease_until = now() + $3::double precision * interval '1 millisecond'
       WHERE id = $1 AND ${CLAIMABLE}
       RETURNING ${RUN_COLUMNS}`,
    [id, claim.owner, LeaseMs.parse(claim.leaseMs)],
  );
  return rows[0] === undefined ? undefined : toRun(rows[0]);
}

/** Oldest first by creation. */
export async function claimableRuns(
  context: PostgresContext,
  limit: number,
  queuedForMs = 0,
): Promise<string[]> {
  const rows = await query(
    context.pool,
    `SELECT id FROM ${context.tables.runs}
       WHERE (status = 'queued' AND updated_at <= now() - make_interval(secs => $2::double precision / 1000))
          OR (status = 'running' AND lease_until < now())
       ORDER BY created_at, id LIMIT $1`,
    [limit, queuedForMs],
  );
  return rows.map((row) => z.object({ id: z.string() }).parse(row).id);
}

export async function renewLease(
  context: PostgresContext,
  lease: Lease,
  leaseMs: number,
): Promise<boolean> {
  const result = await context.pool.query(
    `UPDATE ${context.tables.runs}
       SET lease_until = now() + $4::double precision * interval '1 millisecond', updated_at = now()
       WHERE id = $1 AND status = 'running' AND owner = $2 AND epoch = $3`,
    [lease.runId, lease.owner, lease.epoch, LeaseMs.parse(leaseMs)],
  );
  return result.rowCount === 1;
}

/**
 * One fenced statement (with the checkpoint pruning, when given). Output and error change only when the settlement gives them;
 * `finished_at` is set for final statuses and cleared otherwise.
 * @throws SignalboxError LEASE_LOST
 */
export async function settleRun(
  context: PostgresContext,
  lease: Lease,
  settlement: RunSettlement,
  /** Data-modifying CTEs run with the settling UPDATE (see `postgresPruneCtes`). */
  pruneCtes = "",
): Promise<RunRecord> {
  // One statement: a final settlement also closes approvals still pending (a run that
  // failed right after asking, e.g. a connection dropped after the request committed):
  // nobody can decide them any more, so they say so instead of waiting forever.
  const rows = await query(
    context.pool,
    `WITH settled AS (UPDATE ${context.tables.runs}
       SET status = $4::text, owner = NULL, lease_until = NULL, updated_at = now(),
           output = CASE WHEN $5::boolean THEN $6::jsonb ELSE output END,
           error = CASE WHEN $7::boolean THEN $8::text ELSE error END,
           error_detail = CASE WHEN $10::boolean THEN $11::jsonb ELSE error_detail END,
           finished_at = CASE WHEN $4::text = ANY($9::text[]) THEN now() ELSE NULL END
       WHERE id = $1 AND status = 'running' AND owner = $2 AND epoch = $3
       RETURNING ${RUN_COLUMNS}),
     closed AS (UPDATE ${context.tables.approvals}
       SET status = 'expired', decided_by = 'run-end', decided_at = now(),
           comment = 'the run ended ' || $4::text || ' before a decision'
       WHERE run_id = $1 AND status = 'pending' AND $4::text = ANY($9::text[])
         AND EXISTS (SELECT 1 FROM settled))${pruneCtes}
     SELECT * FROM settled`,
    [
      lease.runId,
      lease.owner,
      lease.epoch,
      settlement.status,
      settlement.output !== undefined,
      jsonParam(settlement.output),
      settlement.error !== undefined,
      settlement.error ?? null,
      SETTLED_FINAL,
      settlement.failure !== undefined,
      jsonParam(settlement.failure),
    ],
  );
  if (rows[0] === undefined) throw leaseLost(lease);
  return toRun(rows[0]);
}

/**
 * One transaction: the run becomes `cancelled` (epoch + 1 fences its driver off, the
 * reason is its error) and its pending approvals `expired` by `cancel`.
 */
export async function cancelRun(
  context: PostgresContext,
  id: string,
  reason: string,
): Promise<RunRecord | undefined> {
  const { runs, approvals } = context.tables;
  return inTransaction(context.pool, async (client) => {
    const cancelled = await query(
      client,
      `UPDATE ${runs}
         SET status = 'cancelled', owner = NULL, lease_until = NULL, epoch = epoch + 1,
             error = $2, error_detail = $4::jsonb, finished_at = now(), updated_at = now()
         WHERE id = $1 AND status <> ALL($3::text[])
         RETURNING ${RUN_COLUMNS}`,
      [id, reason, FINAL_STATUSES, jsonParam(cancelledFailure(reason))],
    );
    if (cancelled[0] === undefined) return undefined;
    await client.query(
      `UPDATE ${approvals} SET status = 'expired', decided_by = 'cancel', decided_at = now(), comment = $2
         WHERE run_id = $1 AND status = 'pending'`,
      [id, reason],
    );
    return toRun(cancelled[0]);
  });
}

/** Expired leases back to `queued`; the next claim raises the epoch. */
export async function requeueExpired(context: PostgresContext): Promise<string[]> {
  const rows = await query(
    context.pool,
    `UPDATE ${context.tables.runs}
       SET status = 'queued', owner = NULL, lease_until = NULL, updated_at = now()
       WHERE status = 'running' AND lease_until < now()
       RETURNING id`,
  );
  return rows.map((row) => z.object({ id: z.string() }).parse(row).id);
}
