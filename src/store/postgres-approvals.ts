import type pg from "pg";
import { z } from "zod";
import { APPROVAL_COLUMNS, RUN_COLUMNS, toApproval, toRun } from "./postgres-rows.ts";
import {
  assertSameRun,
  inTransaction,
  jsonParam,
  lockLease,
  type PostgresContext,
  query,
} from "./postgres-sql.ts";
import type { ApprovalRecord, ApprovalStatus, Lease, RunRecord } from "./types.ts";

// Approvals of the PostgreSQL store. Lock order everywhere: the run row first, then
// the approval row (cancelRun does the same), so these transactions cannot deadlock.

type Decision = Pick<ApprovalRecord, "status" | "decidedBy" | "decidedAt" | "comment">;

const PendingRow = z.object({ run_id: z.string(), deadline: z.date().nullable() });

/** Fenced; idempotent by id (a second request returns the stored one unchanged). */
export async function createApproval(
  context: PostgresContext,
  approval: ApprovalRecord,
  lease: Lease,
): Promise<ApprovalRecord> {
  assertSameRun(lease, approval.runId);
  const table = context.tables.approvals;
  return inTransaction(context.pool, async (client) => {
    await lockLease(client, context.tables, lease);
    await client.query(
      `INSERT INTO ${table} (id, run_id, node, status, message, details, requested_at, deadline)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::timestamptz, $8::timestamptz)
         ON CONFLICT (id) DO NOTHING`,
      [
        approval.id,
        approval.runId,
        approval.node,
        approval.status,
        approval.message,
        jsonParam(approval.details),
        approval.requestedAt,
        approval.deadline,
      ],
    );
    const rows = await query(client, `SELECT ${APPROVAL_COLUMNS} FROM ${table} WHERE id = $1`, [
      approval.id,
    ]);
    return toApproval(rows[0]);
  });
}

export async function getApproval(
  context: PostgresContext,
  id: string,
): Promise<ApprovalRecord | undefined> {
  const rows = await query(
    context.pool,
    `SELECT ${APPROVAL_COLUMNS} FROM ${context.tables.approvals} WHERE id = $1`,
    [id],
  );
  return rows[0] === undefined ? undefined : toApproval(rows[0]);
}

/** In request order. */
export async function listApprovals(
  context: PostgresContext,
  filter: { runId?: string; status?: ApprovalStatus },
): Promise<ApprovalRecord[]> {
  const rows = await query(
    context.pool,
    `SELECT ${APPROVAL_COLUMNS} FROM ${context.tables.approvals}
       WHERE ($1::text IS NULL OR run_id = $1) AND ($2::text IS NULL OR status = $2)
       ORDER BY requested_at, position`,
    [filter.runId ?? null, filter.status ?? null],
  );
  return rows.map(toApproval);
}

/**
 * One transaction: the pending approval is decided and its waiting run queued, or
 * (approval not pending, run not waiting) nothing is written and undefined returned.
 */
export async function decideApproval(
  context: PostgresContext,
  id: string,
  decision: Decision,
): Promise<{ approval: ApprovalRecord; run: RunRecord } | undefined> {
  return inTransaction(context.pool, async (client) => {
    const pending = await lockWaitingRun(context, client, id);
    if (pending === undefined) return undefined;
    const approvals = await query(
      client,
      `UPDATE ${context.tables.approvals}
         SET status = $2, decided_by = $3, decided_at = $4::timestamptz, comment = $5
         WHERE id = $1 AND status = 'pending' RETURNING ${APPROVAL_COLUMNS}`,
      [id, decision.status, decision.decidedBy, decision.decidedAt, decision.comment],
    );
    if (approvals[0] === undefined) return undefined;
    return { approval: toApproval(approvals[0]), run: await queueRun(context, client, pending) };
  });
}

/**
 * Each pending approval past its deadline (database clock) whose run waits: expired
 * by `deadline` and the run queued, one transaction per approval. Returns run ids.
 */
export async function expireApprovals(context: PostgresContext): Promise<string[]> {
  const { approvals, runs } = context.tables;
  const due = await query(
    context.pool,
    `SELECT a.id FROM ${approvals} a JOIN ${runs} r ON r.id = a.run_id
       WHERE a.status = 'pending' AND a.deadline < now() AND r.status = 'waiting'
       ORDER BY a.deadline, a.position`,
  );
  const runIds: string[] = [];
  for (const row of due) {
    const runId = await expireApproval(context, z.object({ id: z.string() }).parse(row).id);
    if (runId !== undefined && !runIds.includes(runId)) runIds.push(runId);
  }
  return runIds;
}

async function expireApproval(context: PostgresContext, id: string): Promise<string | undefined> {
  return inTransaction(context.pool, async (client) => {
    const pending = await lockWaitingRun(context, client, id);
    if (pending?.deadline == null) return undefined;
    const comment = `the deadline ${pending.deadline.toISOString()} passed without a decision`;
    const expired = await client.query(
      `UPDATE ${context.tables.approvals}
         SET status = 'expired', decided_by = 'deadline', decided_at = now(), comment = $2
         WHERE id = $1 AND status = 'pending' AND deadline < now()`,
      [id, comment],
    );
    if (expired.rowCount !== 1) return undefined;
    await queueRun(context, client, pending);
    return pending.run_id;
  });
}

/** Locks the approval's run while it is `waiting`; undefined when it is not (or no such approval). */
async function lockWaitingRun(
  context: PostgresContext,
  client: pg.PoolClient,
  approvalId: string,
): Promise<z.infer<typeof PendingRow> | undefined> {
  const found = await query(
    client,
    `SELECT run_id, deadline FROM ${context.tables.approvals} WHERE id = $1`,
    [approvalId],
  );
  if (found[0] === undefined) return undefined;
  const pending = PendingRow.parse(found[0]);
  const waiting = await client.query(
    `SELECT 1 FROM ${context.tables.runs} WHERE id = $1 AND status = 'waiting' FOR UPDATE`,
    [pending.run_id],
  );
  return waiting.rowCount === 1 ? pending : undefined;
}

async function queueRun(
  context: PostgresContext,
  client: pg.PoolClient,
  pending: z.infer<typeof PendingRow>,
): Promise<RunRecord> {
  const rows = await query(
    client,
    `UPDATE ${context.tables.runs} SET status = 'queued', updated_at = now()
       WHERE id = $1 RETURNING ${RUN_COLUMNS}`,
    [pending.run_id],
  );
  return toRun(rows[0]);
}
