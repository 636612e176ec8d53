import type { BaseCheckpointSaver } from "@langchain/langgraph-checkpoint";
import type { DecidedBy, DecisionKind, DecisionRecord } from "../graph/decision.ts";

/** Lifecycle of a run. `waiting` means paused for a human (approval). */
export const RUN_STATUSES = [
  "queued",
  "running",
  "waiting",
  "succeeded",
  "failed",
  "cancelled",
  "compensated",
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Statuses a run never leaves. */
export const FINAL_STATUSES: readonly RunStatus[] = [
  "succeeded",
  "failed",
  "cancelled",
  "compensated",
];

/** One run of one workflow, as the store keeps it. */
export interface RunRecord {
  readonly id: string;
  readonly workflow: string;
  readonly version: string;
  readonly status: RunStatus;
  readonly input: unknown;
  readonly output: unknown;
  readonly error: string | null;
  /** What started it: `cli`, `mcp`, `http`, `test`, … */
  readonly trigger: string;
  readonly dryRun: boolean;
  readonly parentRunId: string | null;
  /** `pid@host` of the process driving it while `running`. */
  readonly owner: string | null;
  /** ISO time until which the owner's claim holds. */
  readonly leaseUntil: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly finishedAt: string | null;
}

export type NewRun = Pick<
  RunRecord,
  "id" | "workflow" | "version" | "input" | "trigger" | "dryRun"
> &
  Partial<Pick<RunRecord, "parentRunId" | "status" | "owner" | "leaseUntil">>;

export type RunPatch = Partial<
  Pick<RunRecord, "status" | "output" | "error" | "owner" | "leaseUntil" | "finishedAt">
>;

/** Filters for listing runs; all optional and combined with AND. */
export interface RunFilter {
  readonly status?: RunStatus | readonly RunStatus[];
  readonly workflow?: string;
  readonly parentRunId?: string;
  readonly createdAfter?: string;
  readonly limit?: number;
}

/** Filters for the decision log across runs. */
export interface DecisionFilter {
  readonly runId?: string;
  readonly workflow?: string;
  readonly kind?: DecisionKind;
  readonly decidedBy?: DecidedBy;
  readonly node?: string;
  readonly since?: string;
  readonly limit?: number;
}

export type EffectStatus = "planned" | "started" | "completed" | "failed" | "compensated";

/** A journaled side effect, keyed by its idempotency key. */
export interface EffectRecord {
  readonly key: string;
  readonly runId: string;
  readonly node: string;
  readonly name: string;
  readonly effect: "write" | "irreversible";
  readonly status: EffectStatus;
  readonly args: unknown;
  readonly result: unknown;
  readonly error: string | null;
  readonly startedAt: string;
  readonly finishedAt: string | null;
}

export type ApprovalStatus = "pending" | "approved" | "rejected" | "changes_requested" | "expired";

/** One approval request and, once decided, who decided it, when and why. */
export interface ApprovalRecord {
  readonly id: string;
  readonly runId: string;
  readonly node: string;
  readonly status: ApprovalStatus;
  readonly message: string;
  readonly details: unknown;
  readonly requestedAt: string;
  readonly deadline: string | null;
  readonly decidedBy: string | null;
  readonly decidedAt: string | null;
  readonly comment: string | null;
}

/**
 * Everything durable: runs, the decision log, the effect journal, approvals,
 * and the LangGraph checkpointer. SQLite and PostgreSQL implement it.
 */
export interface RunStore {
  readonly kind: string;
  readonly checkpointer: BaseCheckpointSaver;

  createRun(run: NewRun): Promise<RunRecord>;
  getRun(id: string): Promise<RunRecord | undefined>;
  updateRun(id: string, patch: RunPatch): Promise<RunRecord>;
  /** Moves a run to `to` only if its status is one of `from`; returns undefined when it was not. */
  transitionRun(
    id: string,
    from: readonly RunStatus[],
    patch: RunPatch & { status: RunStatus },
  ): Promise<RunRecord | undefined>;
  listRuns(filter?: RunFilter): Promise<RunRecord[]>;
  /**
   * Takes over a `running` run from `expectedOwner` (a dead process); returns
   * undefined when someone else got there first.
   */
  claimRun(
    id: string,
    expectedOwner: string | null,
    owner: string,
    leaseUntil: string,
  ): Promise<RunRecord | undefined>;

  /** Inserts or replaces (same key) a decision; returns it with its sequence. */
  recordDecision(record: DecisionRecord): Promise<DecisionRecord>;
  listDecisions(filter: DecisionFilter): Promise<DecisionRecord[]>;

  getEffect(key: string): Promise<EffectRecord | undefined>;
  /** Writes an effect row (insert or update by key). */
  putEffect(effect: EffectRecord): Promise<void>;
  listEffects(runId: string): Promise<EffectRecord[]>;

  createApproval(approval: ApprovalRecord): Promise<ApprovalRecord>;
  /** Decides a pending approval; returns undefined when it was not pending any more. */
  decideApproval(
    id: string,
    decision: Pick<ApprovalRecord, "status" | "decidedBy" | "decidedAt" | "comment">,
  ): Promise<ApprovalRecord | undefined>;
  listApprovals(filter: { runId?: string; status?: ApprovalStatus }): Promise<ApprovalRecord[]>;

  close(): Promise<void>;
}
