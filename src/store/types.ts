import type { BaseCheckpointSaver } from "@langchain/langgraph-checkpoint";
import type { DecidedBy, DecisionKind, DecisionRecord } from "../contracts/decision.ts";

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
  /** The workflow version the run is pinned to; it resumes only on that version. */
  readonly version: string;
  readonly status: RunStatus;
  readonly input: unknown;
  readonly output: unknown;
  readonly error: string | null;
  /**
   * Why a run failed, was compensated or cancelled, as a structured record (code,
   * message, node, details); null while it has not failed, and for runs stored before
   * the record existed (their `error` text stays).
   */
  readonly failure: RunFailure | null;
  /** Who asked for the run (a person the adapter named); its approvals refuse them by default. */
  readonly requestedBy: string | null;
  /** What started it: `cli`, `mcp`, `http`, `test`, … */
  readonly trigger: string;
  readonly dryRun: boolean;
  readonly parentRunId: string | null;
  /** The worker driving it while `running` (`<pid>@<host>/<random>`); null otherwise. */
  readonly owner: string | null;
  /**
   * The fencing token: incremented by every claim (and by cancel), so a driver that
   * lost the run can no longer write anything belonging to it.
   */
  readonly epoch: number;
  /** ISO time, on the database's clock, until which the owner's claim holds. */
  readonly leaseUntil: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly finishedAt: string | null;
}

/**
 * A run's failure as stored: the error's code (a signalbox {@link ErrorCode} such as
 * `STEP_FAILED`, `STEP_LIMIT`, `OUTPUT_INVALID`, `CANCELLED`, or the code a step's own
 * error carried), its message, the node it was raised in (null when no node was
 * running) and the error's structured data.
 */
export interface RunFailure {
  readonly code: string;
  readonly message: string;
  readonly node: string | null;
  readonly details: Readonly<Record<string, unknown>>;
}

/** A driver's hold on a run. Valid while the run is `running` with this owner and epoch. */
export interface Lease {
  readonly runId: string;
  readonly owner: string;
  readonly epoch: number;
}

/** Who claims, and for how long (measured on the database's clock). */
export interface Claim {
  readonly owner: string;
  readonly leaseMs: number;
}

export type NewRun = Pick<
  RunRecord,
  "id" | "workflow" | "version" | "input" | "trigger" | "dryRun"
> &
  Partial<Pick<RunRecord, "parentRunId" | "requestedBy">> & {
    /** `queued` (default: a worker will claim it) or `running` for runs not driven by a worker (chat turns). */
    readonly status?: "queued" | "running";
    /**
     * Created already claimed (status `running`, epoch 1, a lease on the database clock):
     * one transaction instead of a create and a claim, for a run its starter drives itself.
     */
    readonly claim?: Claim;
  };

/** A change to a run outside of driving it (chat turns, tests). */
export type RunPatch = Partial<Pick<RunRecord, "status" | "output" | "error" | "finishedAt">>;

/** How a driver ends (or pauses) its hold on a run. */
export interface RunSettlement {
  /** `waiting` pauses for an approval; `queued` hands the run back (graceful shutdown). */
  readonly status: "succeeded" | "failed" | "compensated" | "waiting" | "queued";
  readonly output?: unknown;
  readonly error?: string | null;
  /** The structured failure, stored beside `error` (failed and compensated runs). */
  readonly failure?: RunFailure;
}

/** Filters for listing runs; all optional and combined with AND. */
export interface RunFilter {
  readonly status?: RunStatus | readonly RunStatus[];
  readonly workflow?: string;
  readonly parentRunId?: string;
  readonly createdAfter?: string;
  /** Only runs whose id starts with this (the CLI's short run ids). */
  readonly idPrefix?: string;
  /** Leaves out runs started by these triggers (`runs` hides `eval` runs by default). */
  readonly excludeTriggers?: readonly string[];
  /** Only runs created strictly before this ISO time. */
  readonly createdBefore?: string;
  /**
   * Keyset paging: only runs after this one in the list order (newest first), i.e.
   * created before it, or at the same time with a smaller id. Pass the last run of
   * the previous page; the cost of a page does not grow with its depth.
   */
  readonly after?: RunCursor;
  /** Only runs with at least one decision made by this decider. */
  readonly decidedBy?: DecidedBy;
  /** true: only runs with an escalation decision; false: only runs without one. */
  readonly escalated?: boolean;
  readonly dryRun?: boolean;
  /** Only runs whose input, as JSON text, contains this (case-insensitive). */
  readonly search?: string;
  readonly limit?: number;
}

/**
 * The statuses a run list reads, one index range each: `[undefined]` for any status,
 * none when the filter names an empty list (so the list is empty).
 */
export function filterStatuses(filter: RunFilter): readonly (RunStatus | undefined)[] {
  if (filter.status === undefined) return [undefined];
  return typeof filter.status === "string" ? [filter.status] : [...new Set(filter.status)];
}

/** Where a page of runs ended: the last run's creation time and id. */
export interface RunCursor {
  readonly createdAt: string;
  readonly id: string;
}

/** Runs of one workflow in one status. */
export interface RunCount {
  readonly workflow: string;
  readonly status: RunStatus;
  readonly runs: number;
}

/** The window and workflow {@link RunStore.outcomeStats} aggregates over. */
export interface OutcomeFilter {
  /** Runs created at or after this ISO time. */
  readonly since: string;
  /** Runs created before this ISO time (default: no end). */
  readonly until?: string;
  readonly workflow?: string;
}

/** Runs of one workflow created on one UTC day with one status. */
export interface OutcomeRunCount {
  readonly workflow: string;
  /** `YYYY-MM-DD`, UTC. */
  readonly day: string;
  readonly status: RunStatus;
  readonly runs: number;
  /** Of those, runs with an escalation decision. */
  readonly escalated: number;
}

/** The decisions of one workflow's runs created on one UTC day. */
export interface OutcomeDecisionTotals {
  readonly workflow: string;
  readonly day: string;
  /** Decisions an LLM made (routes and agent turns). */
  readonly llmCalls: number;
  /** Route decisions made by a rule or the classifier: LLM calls the cascade avoided. */
  readonly llmAvoided: number;
  readonly tokensIn: number;
  readonly tokensOut: number;
  readonly costUsd: number;
}

/** How long one node took, once, in a run of `workflow` created on `day` (from `node-end` events). */
export interface OutcomeNodeDuration {
  readonly workflow: string;
  readonly day: string;
  readonly node: string;
  readonly durationMs: number;
}

/** Raw outcome figures; percentiles and sums by day are computed by the caller. */
export interface OutcomeRows {
  readonly runs: readonly OutcomeRunCount[];
  readonly decisions: readonly OutcomeDecisionTotals[];
  readonly nodeDurations: readonly OutcomeNodeDuration[];
}

/** The statuses {@link RunStore.pruneRuns} may remove: nobody drives such a run. */
export const PRUNABLE_STATUSES = [
  "succeeded",
  "failed",
  "cancelled",
  "compensated",
  "waiting",
] as const;
export type PrunableStatus = (typeof PRUNABLE_STATUSES)[number];

/** Which runs {@link RunStore.pruneRuns} removes: all conditions hold. */
export interface PruneFilter {
  /** Statuses to remove (no queued or running run is ever removed). */
  readonly statuses: readonly PrunableStatus[];
  /** Only runs last changed before this ISO time. */
  readonly before?: string;
  readonly workflow?: string;
  /** Only runs started by this trigger (`eval`, `cli`, `mcp`, …). */
  readonly trigger?: string;
  /** Runs removed per transaction (default 500). */
  readonly batchSize?: number;
  /** Count what would go, remove nothing. */
  readonly dryRun?: boolean;
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

/** One event of a run as followers in other processes read it, numbered per run from 1. */
export interface StoredEvent {
  readonly runId: string;
  readonly seq: number;
  readonly event: unknown;
}

/** The kinds of trigger that start runs from outside (src/triggers). */
export type TriggerKind = "webhook" | "schedule" | "file";

/** What started a run from outside: recorded with the run, in the same transaction. */
export interface TriggerStart {
  readonly kind: TriggerKind;
  /** The trigger's name in the config (`support`, `nightly`, `inbox`). */
  readonly name: string;
  /**
   * The event's identity, unique per trigger: the webhook delivery id, the fire time
   * (ISO, so keys sort by time), the claimed file. A second start with it starts nothing.
   */
  readonly key: string;
  /** What a person needs to see: the delivery id, the fire time, the file's path. */
  readonly details: unknown;
}

/** A {@link TriggerStart} as stored: with the run it started and when (database clock). */
export interface TriggerStartRecord extends TriggerStart {
  readonly runId: string;
  readonly at: string;
}

/** What `claimEffect` found. `claimed: false` means someone completed it: replay `existing`. */
export type EffectClaimResult =
  | { readonly claimed: true; readonly previous: EffectRecord | undefined }
  | { readonly claimed: false; readonly existing: EffectRecord };

/**
 * Everything durable: runs, the decision log, the effect journal, approvals, run
 * events, and the LangGraph checkpointer. SQLite and PostgreSQL implement it and
 * pass one contract suite (test/store/run-store-contract.ts).
 *
 * Fencing: every method taking a {@link Lease} writes only while the run is
 * `running` with that owner and epoch, checked in the same transaction as the
 * write; otherwise it writes nothing and throws `SignalboxError` `LEASE_LOST`.
 * Times that decide ownership (leases, deadlines) come from the database's clock.
 */
export interface RunStore {
  readonly kind: "sqlite" | "postgres";
  readonly checkpointer: BaseCheckpointSaver;

  /** Records a new run, `queued` unless told otherwise. */
  createRun(run: NewRun): Promise<RunRecord>;
  /**
   * Records a run started by a trigger event and the event itself in one transaction,
   * unless that event (kind, name, key) already started one: then nothing is written
   * and the first run is returned with `created: false`. Concurrent starts of one event
   * create exactly one run.
   */
  createTriggeredRun(
    run: NewRun,
    start: TriggerStart,
  ): Promise<{ readonly run: RunRecord; readonly created: boolean }>;
  /** What started `runId`, when a trigger did. */
  getTriggerStart(runId: string): Promise<TriggerStartRecord | undefined>;
  /** The event of this trigger with the greatest key (for schedules: the latest fire time). */
  lastTriggerStart(kind: TriggerKind, name: string): Promise<TriggerStartRecord | undefined>;
  getRun(id: string): Promise<RunRecord | undefined>;
  /** Runs newest first (created time, then id, descending); at most `limit` (default 100). */
  listRuns(filter?: RunFilter): Promise<RunRecord[]>;
  /**
   * Removes runs matching `filter` with everything of theirs (decisions, effects,
   * approvals, events, checkpoints), one transaction per batch; each batch re-checks
   * the status inside its transaction, so a run resumed meanwhile stays. Other runs'
   * rows are never touched. Returns how many runs went (or would go, when `dryRun`).
   */
  pruneRuns(filter: PruneFilter): Promise<{ readonly runs: number }>;
  /**
   * Outcome figures per workflow and UTC day of creation, for runs created in the
   * window: counts by status, decision totals, and node durations (at most
   * `maxDurations`, newest runs first, default 100,000).
   */
  outcomeStats(filter: OutcomeFilter, maxDurations?: number): Promise<OutcomeRows>;
  /** How many runs each workflow has in each status now (for gauges), in no set order. */
  countRuns(): Promise<RunCount[]>;
  /** Changes a run nobody drives (chat turns); never use it on a claimed run. */
  updateRun(id: string, patch: RunPatch): Promise<RunRecord>;

  /**
   * Takes a run to drive: succeeds when it is `queued`, or `running` with a lease that
   * ran out. Sets status `running`, the owner, a new lease and epoch + 1, atomically;
   * returns undefined when the run is not claimable (someone holds it, it is waiting
   * or finished, or it does not exist).
   */
  claimRun(id: string, claim: Claim): Promise<RunRecord | undefined>;
  /**
   * Ids of runs a worker could claim now, oldest first: queued, or running with an expired
   * lease. With `queuedForMs`, only queued runs that have waited at least that long (a
   * sweeper re-waking runs whose wake-up was lost, not every fresh one).
   */
  claimableRuns(limit: number, options?: { readonly queuedForMs?: number }): Promise<string[]>;
  /** Extends the lease; false (and no write) when the lease was lost. Never throws LEASE_LOST. */
  renewLease(lease: Lease, leaseMs: number): Promise<boolean>;
  /** Ends the driver's hold: the final status (or `waiting`, or back to `queued`), owner cleared. Fenced. */
  settleRun(lease: Lease, settlement: RunSettlement): Promise<RunRecord>;

  /**
   * Decides a pending approval and makes its waiting run `queued` again, in one
   * transaction: afterwards either both happened or neither did. Returns undefined
   * (and changes nothing) when the approval was not pending or the run not waiting.
   */
  decideApproval(
    id: string,
    decision: Pick<ApprovalRecord, "status" | "decidedBy" | "decidedAt" | "comment">,
  ): Promise<{ approval: ApprovalRecord; run: RunRecord } | undefined>;
  /**
   * Cancels an unfinished run in one transaction: status `cancelled`, owner cleared,
   * epoch + 1 (its driver is fenced off), pending approvals `expired` by `cancel`.
   * Returns undefined when the run had already finished.
   */
  cancelRun(id: string, reason: string): Promise<RunRecord | undefined>;
  /** The sweeper: runs `running` with an expired lease go back to `queued`; returns their ids. */
  requeueExpired(): Promise<string[]>;
  /**
   * The sweeper: each pending approval past its deadline (database clock) whose run is
   * waiting becomes `expired` (decided by `deadline`) and its run `queued`, one
   * transaction per approval. Returns the run ids.
   */
  expireApprovals(): Promise<string[]>;

  /**
   * Inserts or replaces (same run and key) a decision and returns it with its sequence;
   * numbering is race-free. Fenced when a lease is given (the runtime always gives one).
   */
  recordDecision(record: DecisionRecord, lease?: Lease): Promise<DecisionRecord>;
  listDecisions(filter: DecisionFilter): Promise<DecisionRecord[]>;

  getEffect(key: string): Promise<EffectRecord | undefined>;
  /**
   * Claims an effect before it is performed (compare-and-set, fenced): absent, `failed`,
   * `planned`, or `started` under an older epoch (its driver lost the run) becomes
   * `started` under this lease's epoch. A `completed` or `compensated` effect is not
   * claimed: it is returned to replay. Two drivers can never both hold one key.
   */
  claimEffect(effect: EffectRecord, lease: Lease): Promise<EffectClaimResult>;
  /** Writes an effect row (insert or update by key): completion, failure, plan, compensation. Fenced. */
  putEffect(effect: EffectRecord, lease: Lease): Promise<void>;
  listEffects(runId: string): Promise<EffectRecord[]>;

  /** Records an approval request (idempotent by id: returns the stored one). Fenced. */
  createApproval(approval: ApprovalRecord, lease: Lease): Promise<ApprovalRecord>;
  getApproval(id: string): Promise<ApprovalRecord | undefined>;
  listApprovals(filter: { runId?: string; status?: ApprovalStatus }): Promise<ApprovalRecord[]>;

  /** Appends events to a run's stream (numbered after the last), fenced; PostgreSQL also notifies. */
  appendEvents(lease: Lease, events: readonly unknown[]): Promise<void>;
  /** A run's events after `afterSeq`, in order. */
  listEvents(runId: string, afterSeq: number, limit?: number): Promise<StoredEvent[]>;
  /**
   * Calls `listener` with a run id whenever events were appended to it: by this process
   * (SQLite) or by any process (PostgreSQL LISTEN). Followers also poll, so a missed
   * wake-up only delays them. Resolves once listening; the returned function stops it.
   */
  watchEvents(listener: (runId: string) => void): Promise<() => Promise<void>>;

  close(): Promise<void>;
}

/**
 * Says which runs need driving. Only a wake-up: ownership is the run's fenced lease,
 * so a lost or duplicated message costs a failed claim, never a second driver.
 */
export interface RunQueue {
  /** Asks some worker to claim `runId` soon. */
  enqueue(runId: string): Promise<void>;
  /**
   * Delivers run ids to `handler`, at most `concurrency` handlers at once; the handler
   * claims the run and resolves once it is claimed (true; driving goes on in the
   * background) or found not claimable (false). Resolves once consuming has started;
   * the returned function stops it.
   */
  consume(
    handler: (runId: string) => Promise<boolean>,
    options: { readonly concurrency: number },
  ): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
