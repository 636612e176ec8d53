import { readRunFailure } from "./run-failure.ts";
import type {
  ApprovalRecord,
  ApprovalStatus,
  EffectRecord,
  RunRecord,
  RunStatus,
  TriggerKind,
  TriggerStartRecord,
} from "./types.ts";

/** A row as better-sqlite3 returns it. */
export type Row = Record<string, unknown>;

export const json = (value: unknown): string | null =>
  value === undefined ? null : JSON.stringify(value);
export const unjson = (text: unknown): unknown =>
  typeof text === "string" ? (JSON.parse(text) as unknown) : undefined;
const nullableString = (value: unknown): string | null =>
  typeof value === "string" ? value : null;

export function toRun(row: Row): RunRecord {
  return {
    id: String(row.id),
    workflow: String(row.workflow),
    version: String(row.version),
    status: row.status as RunStatus,
    input: unjson(row.input),
    output: unjson(row.output),
    error: nullableString(row.error),
    failure: readRunFailure(row.error_detail),
    requestedBy: nullableString(row.requested_by),
    trigger: String(row.trigger),
    dryRun: row.dry_run === 1,
    parentRunId: nullableString(row.parent_run_id),
    owner: nullableString(row.owner),
    epoch: Number(row.epoch ?? 0),
    leaseUntil: nullableString(row.lease_until),
    createdAt: String(row.created_at),
    updatedAt: String(row.updated_at),
    finishedAt: nullableString(row.finished_at),
  };
}

export function toEffect(row: Row): EffectRecord {
  return {
    key: String(row.key),
    runId: String(row.run_id),
    node: String(row.node),
    name: String(row.name),
    effect: row.effect as EffectRecord["effect"],
    status: row.status as EffectRecord["status"],
    args: unjson(row.args),
    result: unjson(row.result),
    error: nullableString(row.error),
    startedAt: String(row.started_at),
    finishedAt: nullableString(row.finished_at),
  };
}

export function toApproval(row: Row): ApprovalRecord {
  return {
    id: String(row.id),
    runId: String(row.run_id),
    node: String(row.node),
    status: row.status as ApprovalStatus,
    message: String(row.message),
    details: unjson(row.details),
    requestedAt: String(row.requested_at),
    deadline: nullableString(row.deadline),
    decidedBy: nullableString(row.decided_by),
    decidedAt: nullableString(row.decided_at),
    comment: nullableString(row.comment),
  };
}

export function toTriggerStart(row: Row): TriggerStartRecord {
  return {
    kind: row.kind as TriggerKind,
    name: String(row.name),
    key: String(row.key),
    runId: String(row.run_id),
    details: unjson(row.details),
    at: String(row.at),
  };
}
