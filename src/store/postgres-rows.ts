import { z } from "zod";
import { DecisionRecord } from "../contracts/decision.ts";
import { readRunFailure } from "./run-failure.ts";
import {
  type ApprovalRecord,
  type EffectRecord,
  RUN_STATUSES,
  type RunRecord,
  type StoredEvent,
  type TriggerStartRecord,
} from "./types.ts";

// Rows are read back through these schemas: the driver hands out untyped rows, and
// a column that does not hold what we wrote should fail loudly, not drift silently.

const isoTime = z.date().transform((date) => date.toISOString());
const isoTimeOrNull = z
  .date()
  .nullable()
  .transform((date) => date?.toISOString() ?? null);
/** `jsonb` selected as `::text`, so SQL NULL (undefined) and JSON null stay apart. */
const jsonText = z
  .string()
  .nullable()
  .transform((text): unknown => (text === null ? undefined : JSON.parse(text)));

/** The run columns, JSON selected as text (see `jsonText`). */
export const RUN_COLUMNS = `id, workflow, version, status, input::text AS input, output::text AS output,
  error, error_detail::text AS error_detail, requested_by, trigger, dry_run, parent_run_id, owner, epoch, lease_until, created_at, updated_at, finished_at`;

const RunRow = z
  .object({
    id: z.string(),
    workflow: z.string(),
    version: z.string(),
    status: z.enum(RUN_STATUSES),
    input: jsonText,
    output: jsonText,
    error: z.string().nullable(),
    error_detail: z.string().nullable(),
    requested_by: z.string().nullable(),
    trigger: z.string(),
    dry_run: z.boolean(),
    parent_run_id: z.string().nullable(),
    owner: z.string().nullable(),
    epoch: z.number().int(),
    lease_until: isoTimeOrNull,
    created_at: isoTime,
    updated_at: isoTime,
    finished_at: isoTimeOrNull,
  })
  .transform(
    (row): RunRecord => ({
      id: row.id,
      workflow: row.workflow,
      version: row.version,
      status: row.status,
      input: row.input,
      output: row.output,
      error: row.error,
      failure: readRunFailure(row.error_detail),
      requestedBy: row.requested_by,
      trigger: row.trigger,
      dryRun: row.dry_run,
      parentRunId: row.parent_run_id,
      owner: row.owner,
      epoch: row.epoch,
      leaseUntil: row.lease_until,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      finishedAt: row.finished_at,
    }),
  );

/** The effect columns (the fencing epoch stays internal). */
export const EFFECT_COLUMNS = `key, run_id, node, name, effect, status, args::text AS args,
  result::text AS result, error, started_at, finished_at`;

const EffectRow = z
  .object({
    key: z.string(),
    run_id: z.string(),
    node: z.string(),
    name: z.string(),
    effect: z.enum(["write", "irreversible"]),
    status: z.enum(["planned", "started", "completed", "failed", "compensated"]),
    args: jsonText,
    result: jsonText,
    error: z.string().nullable(),
    started_at: isoTime,
    finished_at: isoTimeOrNull,
  })
  .transform(
    (row): EffectRecord => ({
      key: row.key,
      runId: row.run_id,
      node: row.node,
      name: row.name,
      effect: row.effect,
      status: row.status,
      args: row.args,
      result: row.result,
      error: row.error,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
    }),
  );

/** The approval columns. */
export const APPROVAL_COLUMNS = `id, run_id, node, status, message, details::text AS details,
  requested_at, deadline, decided_by, decided_at, comment`;

const ApprovalRow = z
  .object({
    id: z.string(),
    run_id: z.string(),
    node: z.string(),
    status: z.enum(["pending", "approved", "rejected", "changes_requested", "expired"]),
    message: z.string(),
    details: jsonText,
    requested_at: isoTime,
    deadline: isoTimeOrNull,
    decided_by: z.string().nullable(),
    decided_at: isoTimeOrNull,
    comment: z.string().nullable(),
  })
  .transform(
    (row): ApprovalRecord => ({
      id: row.id,
      runId: row.run_id,
      node: row.node,
      status: row.status,
      message: row.message,
      details: row.details,
      requestedAt: row.requested_at,
      deadline: row.deadline,
      decidedBy: row.decided_by,
      decidedAt: row.decided_at,
      comment: row.comment,
    }),
  );

const DecisionRow = z
  .object({ sequence: z.number().int(), record: DecisionRecord })
  .transform((row): DecisionRecord => ({ ...row.record, sequence: row.sequence }));

const EventRow = z
  .object({ run_id: z.string(), seq: z.number().int(), event: z.unknown() })
  .transform((row): StoredEvent => ({ runId: row.run_id, seq: row.seq, event: row.event }));

/** Parses a `runs` row selected with {@link RUN_COLUMNS}. */
export const toRun = (row: unknown): RunRecord => RunRow.parse(row);
/** Parses an `effects` row selected with {@link EFFECT_COLUMNS}. */
export const toEffect = (row: unknown): EffectRecord => EffectRow.parse(row);
/** Parses an `approvals` row selected with {@link APPROVAL_COLUMNS}. */
export const toApproval = (row: unknown): ApprovalRecord => ApprovalRow.parse(row);
/** Parses a `decisions` row selected as `sequence, record`. */
export const toDecision = (row: unknown): DecisionRecord => DecisionRow.parse(row);
/** Parses a `run_events` row selected as `run_id, seq, event`. */
export const toEvent = (row: unknown): StoredEvent => EventRow.parse(row);

const TriggerStartRow = z
  .object({
    kind: z.enum(["webhook", "schedule", "file"]),
    name: z.string(),
    key: z.string(),
    run_id: z.string(),
    details: jsonText,
    at: isoTime,
  })
  .transform(
    (row): TriggerStartRecord => ({
      kind: row.kind,
      name: row.name,
      key: row.key,
      runId: row.run_id,
      details: row.details,
      at: row.at,
    }),
  );

/** Parses a `trigger_starts` row (details selected as text). */
export const toTriggerStart = (row: unknown): TriggerStartRecord => TriggerStartRow.parse(row);
