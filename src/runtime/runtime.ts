import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { Decider } from "../contracts/decider.ts";
import type { DecisionRecord } from "../contracts/decision.ts";
import { ErrorCode, SignalboxError } from "../errors.ts";
import { requesterMayNotApprove } from "../graph/approval-rule.ts";
import type { RunEvent } from "../graph/events.ts";
import type { CompiledWorkflow } from "../graph/workflow.ts";
import type { ChatProvider } from "../models/chat-provider.ts";
import type { ClassifierCache } from "../models/classifier-cache.ts";
import type {
  ApprovalRecord,
  DecisionFilter,
  EffectRecord,
  RunFilter,
  RunQueue,
  RunRecord,
  RunStore,
  TriggerStart,
  TriggerStartRecord,
} from "../store/types.ts";
import { FINAL_STATUSES } from "../store/types.ts";
import { type FollowOptions, followRun } from "./follow-run.ts";
import { createLogger } from "./logger.ts";
import { createOwner } from "./owner.ts";
import { createPollingQueue } from "./polling-queue.ts";
import type { WorkflowRegistry } from "./registry.ts";
import { type RetentionPolicy, startRetention } from "./retention.ts";
import { RunDriver } from "./run-driver.ts";
import type { RunObserver } from "./run-observer.ts";
import { releaseStranded, Worker, type WorkerOptions } from "./worker.ts";

export interface RuntimeOptions {
  readonly store: RunStore;
  readonly workflows: WorkflowRegistry;
  readonly logger?: Logger;
  /** How long a running process's claim on a run holds without renewal (ms). Default 30 s. */
  readonly leaseMs?: number;
  /** The LLM tier for route cascades (see `createLlmDecider`); without one, routes run offline. */
  readonly llm?: Decider;
  /** The chat model for agent steps that name none; without one they use the offline agent model. */
  readonly chat?: ChatProvider;
  /**
   * Where routes keep their trained offline classifiers between processes (see
   * `directoryClassifierCache`); without one, each process trains them on first use.
   */
  readonly classifierCache?: ClassifierCache;
  /** Wakes workers for queued runs. Default: the store's runs table, polled (one machine). */
  readonly queue?: RunQueue;
  /**
   * `here` (default): runs this runtime starts, approves or resumes are claimed and
   * driven in this process. `workers`: they are queued for worker processes and
   * followed (an API-only node, `serve --no-worker`).
   */
  readonly execute?: "here" | "workers";
  /** How often a follower or the polling queue looks at the store without a wake-up (ms). */
  readonly pollMs?: number;
  /** Prune old runs automatically while a worker runs here (see `signalbox prune`). */
  readonly retention?: RetentionPolicy;
}

export interface StartOptions {
  readonly dryRun?: boolean;
  readonly trigger?: string;
  readonly parentRunId?: string;
  /** Wait for the run to finish or pause (default), or return once it has started. */
  readonly wait?: boolean;
  readonly onEvent?: (event: RunEvent) => void;
  readonly runId?: string;
  /** Only queue the run for a worker and return it (`signalbox run --detach`). */
  readonly detach?: boolean;
  /** Who asks for the run (a person's name); its approvals refuse them by default. */
  readonly requestedBy?: string;
  /**
   * The trigger event that starts it, recorded with the run in one transaction. An event
   * that already started a run starts nothing: that first run is returned (see `startedBy`).
   */
  readonly triggeredBy?: TriggerStart;
}

export type ApprovalDecision = "approved" | "rejected" | "changes_requested";

export interface ApproveOptions {
  readonly decision?: ApprovalDecision;
  readonly by?: string;
  readonly comment?: string;
  readonly onEvent?: (event: RunEvent) => void;
  /** Wait for the run to finish or pause again (default), or return once it is decided and continuing. */
  readonly wait?: boolean;
}

/** A run with everything needed to explain it. */
export interface RunDetails {
  readonly run: RunRecord;
  readonly decisions: DecisionRecord[];
  readonly effects: EffectRecord[];
  readonly approvals: ApprovalRecord[];
  /** The trigger event that started it (webhook delivery, fire time, file), if one did. */
  readonly startedBy?: TriggerStartRecord;
}

/**
 * Starts, resumes, approves, cancels and recovers runs over one store. Any process
 * with the same store can pick up any run: a run is driven by whoever holds its
 * fenced lease, and followed from anywhere through the store's event log.
 */
export class Runtime {
  readonly store: RunStore;
  readonly workflows: WorkflowRegistry;
  readonly logger: Logger;
  /** The LLM tier routes use, if any (undefined: offline). */
  readonly llm: Decider | undefined;
  /** The chat model agent steps and the chat use, if any (undefined: offline). */
  readonly chat: ChatProvider | undefined;
  readonly queue: RunQueue;
  private readonly driver: RunDriver;
  private readonly execute: "here" | "workers";
  private readonly pollMs: number | undefined;
  private readonly workers = new Set<Worker>();
  private readonly retention: RetentionPolicy | undefined;
  private stopRetention: (() => Promise<void>) | undefined;

  constructor(options: RuntimeOptions) {
    this.store = options.store;
    this.workflows = options.workflows;
    this.logger = options.logger ?? createLogger("silent");
    this.llm = options.llm;
    this.chat = options.chat;
    this.execute = options.execute ?? "here";
    this.pollMs = options.pollMs;
    this.retention = options.retention;
    this.queue =
      options.queue ??
      createPollingQueue({ store: this.store, logger: this.logger, pollMs: options.pollMs });
    this.driver = new RunDriver({
      store: this.store,
      logger: this.logger,
      owner: createOwner(),
      leaseMs: options.leaseMs ?? 30_000,
      llm: options.llm,
      chat: options.chat,
      classifierCache: options.classifierCache,
    });
  }

  /** The name this runtime signs its claims with. */
  get owner(): string {
    return this.driver.owner;
  }

  /**
   * Observes the runs driven in this process (drives, events, every stored decision with
   * its workflow), for metrics and traces; returns the function that stops it.
   */
  observe(observer: RunObserver): () => void {
    return this.driver.observe(observer);
  }

  /** How many runs this process drives right now. */
  get activeRuns(): number {
    return this.driver.activeCount;
  }

  /** How many workers this process runs, and their slots (runs at once) in all. */
  get workerSlots(): { readonly workers: number; readonly slots: number } {
    let slots = 0;
    for (const worker of this.workers) slots += worker.slots;
    return { workers: this.workers.size, slots };
  }

  /** Listens to the events of every run driven in this process; returns the unsubscribe function. */
  onEvent(listener: (event: RunEvent) => void): () => void {
    return this.driver.subscribe(listener);
  }

  /**
   * Starts a run of `workflowName` with `input`: records it `queued`, then drives it
   * here (or, on an API-only node, queues it for a worker and follows it).
   * @throws SignalboxError WORKFLOW_NOT_FOUND, INPUT_INVALID (naming each bad field)
   */
  async start(
    workflowName: string,
    input: unknown,
    options: StartOptions = {},
  ): Promise<RunRecord> {
    return (await this.begin(workflowName, input, options)).run;
  }

  /**
   * Starts a run for a trigger event (a webhook delivery, a fire time, a claimed file)
   * unless that event already started one: then nothing starts and the first run is
   * returned with `created: false`. Returns once the run has started (no waiting).
   * @throws SignalboxError WORKFLOW_NOT_FOUND, INPUT_INVALID (naming each bad field)
   */
  startOnce(
    workflowName: string,
    input: unknown,
    triggeredBy: TriggerStart,
    options: Omit<StartOptions, "triggeredBy" | "wait"> = {},
  ): Promise<{ readonly run: RunRecord; readonly created: boolean }> {
    return this.begin(workflowName, input, { ...options, triggeredBy, wait: false });
  }

  private async begin(
    workflowName: string,
    input: unknown,
    options: StartOptions,
  ): Promise<{ readonly run: RunRecord; readonly created: boolean }> {
    const workflow = this.workflows.get(workflowName);
    const parsed = workflow.parseInput(input);
    const here = this.execute === "here" && !options.detach;
    const { run, created } = await this.createRun(workflow, parsed, options, here);
    if (!created) return { run, created };
    const wait = options.wait ?? true;
    if (here) {
      const done = this.driver.drive(run, workflow, options.onEvent);
      return { run: await this.settleOrReturn(run.id, done, wait), created };
    }
    await this.queue.enqueue(run.id);
    if (options.detach) return { run, created };
    return { run: await this.continueRun(run.id, { onEvent: options.onEvent, wait }), created };
  }

  /** Records the run (and its trigger event, if any): created false when that event started one before. */
  private async createRun(
    workflow: CompiledWorkflow,
    input: unknown,
    options: StartOptions,
    here: boolean,
  ): Promise<{ readonly run: RunRecord; readonly created: boolean }> {
    const run = {
      id: options.runId ?? randomUUID(),
      workflow: workflow.name,
      version: workflow.version,
      input,
      trigger: options.trigger ?? options.triggeredBy?.kind ?? "api",
      dryRun: options.dryRun ?? false,
      parentRunId: options.parentRunId,
      requestedBy: options.requestedBy,
      // Driven here: created claimed, in the same transaction (no queued moment to race for).
      claim: here ? this.claim() : undefined,
    };
    if (options.triggeredBy === undefined)
      return { run: await this.store.createRun(run), created: true };
    return this.store.createTriggeredRun(run, options.triggeredBy);
  }

  /** Waits for a run to finish or pause, wherever it executes. */
  async wait(runId: string, options: FollowOptions = {}): Promise<RunRecord> {
    return (await this.driver.whenSettled(runId)) ?? this.follow(runId, options);
  }

  /**
   * Follows a run wherever it executes: its events in order, resolving when it
   * finishes or pauses for approval.
   */
  follow(runId: string, options: FollowOptions = {}): Promise<RunRecord> {
    return followRun(this.store, runId, { pollMs: this.pollMs, ...options });
  }

  /**
   * Continues a run whose driver is gone (lease ran out) or that is queued, from its
   * last checkpoint, here.
   * @throws SignalboxError RUN_NOT_FOUND, INVALID_TRANSITION, VERSION_UNAVAILABLE
   */
  async resume(
    runId: string,
    options: { onEvent?: (event: RunEvent) => void } = {},
  ): Promise<RunRecord> {
    const run = await this.mustGet(runId);
    if (run.status === "waiting") {
      throw new SignalboxError(
        ErrorCode.InvalidTransition,
        `run ${runId} is waiting for approval; approve or reject it instead (signalbox approve ${runId})`,
      );
    }
    if (run.status !== "running" && run.status !== "queued") {
      throw new SignalboxError(
        ErrorCode.InvalidTransition,
        `run ${runId} is ${run.status}; only a queued run or one left running by a stopped process can be resumed`,
      );
    }
    const workflow = this.workflows.resolve(run.workflow, run.version);
    const claimed = await this.store.claimRun(runId, this.claim());
    if (claimed === undefined) {
      const now = await this.mustGet(runId);
      throw new SignalboxError(
        ErrorCode.InvalidTransition,
        `run ${runId} is being driven by ${now.owner} (lease until ${now.leaseUntil}); it will be recovered if that worker stops renewing its lease`,
      );
    }
    this.logger.info({ runId, previousOwner: run.owner }, "resuming run from its last checkpoint");
    return this.driver.drive(claimed, workflow, options.onEvent);
  }

  /**
   * Decides the pending approval of a waiting run and continues it. Deciding and
   * making the run resumable are one transaction: killed at any instant, the run is
   * either still waiting for the decision or queued with the decision stored.
   * After the deadline the approval counts as expired, whatever was asked.
   * @throws SignalboxError RUN_NOT_FOUND, INVALID_TRANSITION, VERSION_UNAVAILABLE
   */
  async approve(runId: string, options: ApproveOptions = {}): Promise<RunRecord> {
    const run = await this.mustGet(runId);
    if (run.status !== "waiting") {
      throw new SignalboxError(
        ErrorCode.InvalidTransition,
        `run ${runId} is ${run.status}, not waiting for approval; nothing to approve`,
      );
    }
    this.workflows.resolve(run.workflow, run.version);
    const [pending] = await this.store.listApprovals({ runId, status: "pending" });
    if (pending === undefined)
      throw new SignalboxError(ErrorCode.InvalidTransition, `run ${runId} has no pending approval`);
    const now = new Date().toISOString();
    const expired = pending.deadline !== null && pending.deadline < now;
    if (!expired) this.checkApprover(run, pending.node, options);
    const decided = await this.store.decideApproval(pending.id, {
      status: expired ? "expired" : (options.decision ?? "approved"),
      decidedBy: expired ? "deadline" : (options.by ?? "unknown"),
      decidedAt: now,
      comment: expired
        ? `deadline ${pending.deadline} passed before the decision${options.by ? ` by ${options.by}` : ""}`
        : (options.comment ?? null),
    });
    if (decided === undefined)
      throw new SignalboxError(
        ErrorCode.InvalidTransition,
        `the approval of run ${runId} was decided by someone else meanwhile, or the run stopped waiting`,
      );
    return this.continueRun(runId, { onEvent: options.onEvent, wait: options.wait ?? true });
  }

  /**
   * Applies the approval node's rule (default: the requester may not approve) to a
   * decision, whichever adapter it came from.
   * @throws SignalboxError APPROVAL_FORBIDDEN
   */
  private checkApprover(run: RunRecord, node: string, options: ApproveOptions): void {
    const workflow = this.workflows.resolve(run.workflow, run.version);
    const spec = workflow.nodes.find((candidate) => candidate.name === node);
    const rule =
      (spec?.kind === "approval" ? spec.options.approvers : undefined) ?? requesterMayNotApprove;
    const verdict = rule({
      runId: run.id,
      workflow: run.workflow,
      node,
      decision: options.decision ?? "approved",
      by: options.by ?? "unknown",
      requestedBy: run.requestedBy,
    });
    if (verdict !== true)
      throw new SignalboxError(ErrorCode.ApprovalForbidden, verdict, {
        data: { runId: run.id, node, by: options.by ?? "unknown", requestedBy: run.requestedBy },
      });
  }

  /**
   * Cancels a run that has not finished. Its driver, here or in another process, is
   * fenced off at once and stops at its next write.
   * @throws SignalboxError RUN_NOT_FOUND, INVALID_TRANSITION
   */
  async cancel(runId: string, reason = "cancelled"): Promise<RunRecord> {
    const run = await this.mustGet(runId);
    const cancelled = await this.store.cancelRun(runId, reason);
    if (cancelled === undefined)
      throw new SignalboxError(
        ErrorCode.InvalidTransition,
        `run ${runId} is ${run.status}; only unfinished runs can be cancelled`,
      );
    // A run driven here announces its own end when its invocation stops.
    if (this.driver.isActive(runId)) {
      this.driver.cancel(runId);
      return cancelled;
    }
    this.driver.publish({
      type: "run-end",
      runId,
      status: "cancelled",
      error: reason,
      at: cancelled.finishedAt ?? new Date().toISOString(),
    });
    return cancelled;
  }

  /**
   * Picks up what stopped workers left, here and now: runs whose lease ran out and
   * queued runs are claimed and driven to their end; waiting runs whose approval
   * deadline passed continue as expired. Returns the runs it drove.
   */
  async recover(options: { onEvent?: (event: RunEvent) => void } = {}): Promise<RunRecord[]> {
    await releaseStranded(this.store);
    const driving: Promise<RunRecord>[] = [];
    for (const runId of await this.store.claimableRuns(1000)) {
      const drive = await this.tryDrive(runId, options.onEvent);
      if (drive !== undefined) driving.push(drive.done);
    }
    return Promise.all(driving);
  }

  /**
   * Starts a worker in this process: it drives queued runs (from any process) up to
   * `concurrency` at once, and sweeps expired leases and overdue approvals.
   */
  async startWorker(options: WorkerOptions = {}): Promise<Worker> {
    if (this.retention !== undefined && this.stopRetention === undefined)
      this.stopRetention = startRetention(this.store, this.retention, this.logger);
    const worker = new Worker(
      {
        store: this.store,
        queue: this.queue,
        logger: this.logger,
        tryDrive: (runId) => this.tryDrive(runId),
      },
      { ...options, leaseMs: this.driver.leaseMs },
    );
    await worker.start();
    this.workers.add(worker);
    return worker;
  }

  /**
   * Claims `runId` and drives it here when it is claimable and its pinned workflow
   * version is registered; undefined otherwise (someone else holds it, it is not
   * queued, or only another process has its version).
   */
  async tryDrive(
    runId: string,
    onEvent?: (event: RunEvent) => void,
  ): Promise<{ readonly done: Promise<RunRecord> } | undefined> {
    const run = await this.store.getRun(runId);
    if (run === undefined || (run.status !== "queued" && run.status !== "running"))
      return undefined;
    const workflow = this.workflows.find(run.workflow, run.version);
    if (workflow === undefined) {
      this.logger.warn(
        { runId, workflow: run.workflow, version: run.version },
        "run left for a worker that has its workflow version",
      );
      return undefined;
    }
    const claimed = await this.store.claimRun(runId, this.claim());
    // Wrapped: an async function returning the drive's promise would wait for the whole run.
    return claimed === undefined
      ? undefined
      : { done: this.driver.drive(claimed, workflow, onEvent) };
  }

  /** @throws SignalboxError RUN_NOT_FOUND */
  async get(runId: string): Promise<RunDetails> {
    return this.details(await this.mustGet(runId));
  }

  /**
   * The details of a run record already at hand (the one `start`, `approve` or `wait`
   * returned once the run stopped): its decisions, effects, approvals and trigger, read
   * without reading the run again (issue 12: MCP read it back after every call).
   */
  async details(run: RunRecord): Promise<RunDetails> {
    const runId = run.id;
    const [decisions, effects, approvals, startedBy] = await Promise.all([
      this.store.listDecisions({ runId }),
      this.store.listEffects(runId),
      this.store.listApprovals({ runId }),
      this.store.getTriggerStart(runId),
    ]);
    return { run, decisions, effects, approvals, ...(startedBy ? { startedBy } : {}) };
  }

  list(filter: RunFilter = {}): Promise<RunRecord[]> {
    return this.store.listRuns(filter);
  }

  /** The decision log across runs, e.g. `{ workflow, kind: "escalation", since }`. */
  decisions(filter: DecisionFilter): Promise<DecisionRecord[]> {
    return this.store.listDecisions(filter);
  }

  workflow(name: string): CompiledWorkflow {
    return this.workflows.get(name);
  }

  /** Stops this process's workers, waits for the runs driven here, then closes the store. */
  async close(): Promise<void> {
    await Promise.all([...this.workers].map((worker) => worker.stop()));
    this.workers.clear();
    await this.stopRetention?.();
    await this.driver.settleAll();
    await this.queue.close();
    await this.store.close();
  }

  /** Drives a queued run here (or hands it to workers), then follows it unless told not to wait. */
  private async continueRun(
    runId: string,
    options: { onEvent?: (event: RunEvent) => void; wait: boolean },
  ): Promise<RunRecord> {
    const driving =
      this.execute === "here" ? (await this.tryDrive(runId, options.onEvent))?.done : undefined;
    if (driving === undefined) await this.queue.enqueue(runId);
    const settled =
      driving ?? (options.wait ? this.follow(runId, { onEvent: options.onEvent }) : undefined);
    return this.settleOrReturn(runId, settled, options.wait);
  }

  /** Waits for `settled`, or (not waiting) returns the run as it is now and logs a failure later. */
  private async settleOrReturn(
    runId: string,
    settled: Promise<RunRecord> | undefined,
    wait: boolean,
  ): Promise<RunRecord> {
    if (wait) return (await settled) as RunRecord;
    settled?.catch((error: unknown) =>
      this.logger.error({ runId, error: String(error) }, "background run failed"),
    );
    return this.mustGet(runId);
  }

  private claim() {
    return { owner: this.driver.owner, leaseMs: this.driver.leaseMs };
  }

  private async mustGet(runId: string): Promise<RunRecord> {
    const run = await this.store.getRun(runId);
    if (run === undefined)
      throw new SignalboxError(ErrorCode.RunNotFound, `no run with id "${runId}"`, {
        data: { runId },
      });
    return run;
  }
}

export { FINAL_STATUSES };
