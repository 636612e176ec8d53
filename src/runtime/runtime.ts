import { randomUUID } from "node:crypto";
import { Command } from "@langchain/langgraph";
import type { Logger } from "pino";
import { ErrorCode, SignalboxError } from "../errors.ts";
import type { DecisionRecord } from "../graph/decision.ts";
import type { RunEvent } from "../graph/events.ts";
import type { Decider } from "../graph/route-decider.ts";
import type { CompiledWorkflow } from "../graph/workflow.ts";
import type { ChatProvider } from "../models/chat-provider.ts";
import type {
  ApprovalRecord,
  DecisionFilter,
  EffectRecord,
  RunFilter,
  RunRecord,
  RunStore,
} from "../store/types.ts";
import { FINAL_STATUSES } from "../store/types.ts";
import { createLogger } from "./logger.ts";
import { currentOwner, isOwnerDead } from "./owner.ts";
import type { WorkflowRegistry } from "./registry.ts";
import { RunDriver } from "./run-driver.ts";

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
}

export interface StartOptions {
  readonly dryRun?: boolean;
  readonly trigger?: string;
  readonly parentRunId?: string;
  /** Wait for the run to finish or pause (default), or return once it has started. */
  readonly wait?: boolean;
  readonly onEvent?: (event: RunEvent) => void;
  readonly runId?: string;
}

export type ApprovalDecision = "approved" | "rejected" | "changes_requested";

export interface ApproveOptions {
  readonly decision?: ApprovalDecision;
  readonly by?: string;
  readonly comment?: string;
  readonly onEvent?: (event: RunEvent) => void;
}

/** A run with everything needed to explain it. */
export interface RunDetails {
  readonly run: RunRecord;
  readonly decisions: DecisionRecord[];
  readonly effects: EffectRecord[];
  readonly approvals: ApprovalRecord[];
}

/**
 * Starts, resumes, approves, cancels and recovers runs over one store.
 * Any process with the same store can pick up any run.
 */
export class Runtime {
  readonly store: RunStore;
  readonly workflows: WorkflowRegistry;
  readonly logger: Logger;
  /** The LLM tier routes use, if any (undefined: offline). */
  readonly llm: Decider | undefined;
  /** The chat model agent steps and the chat use, if any (undefined: offline). */
  readonly chat: ChatProvider | undefined;
  private readonly driver: RunDriver;

  constructor(options: RuntimeOptions) {
    this.store = options.store;
    this.workflows = options.workflows;
    this.logger = options.logger ?? createLogger("silent");
    this.llm = options.llm;
    this.chat = options.chat;
    this.driver = new RunDriver({
      store: this.store,
      logger: this.logger,
      owner: currentOwner(),
      leaseMs: options.leaseMs ?? 30_000,
      llm: options.llm,
      chat: options.chat,
    });
  }

  /** Listens to every run's events; returns the unsubscribe function. */
  onEvent(listener: (event: RunEvent) => void): () => void {
    return this.driver.subscribe(listener);
  }

  /**
   * Starts a run of `workflowName` with `input`.
   * @throws SignalboxError WORKFLOW_NOT_FOUND, INPUT_INVALID (naming each bad field)
   */
  async start(
    workflowName: string,
    input: unknown,
    options: StartOptions = {},
  ): Promise<RunRecord> {
    const workflow = this.workflows.get(workflowName);
    const parsed = workflow.parseInput(input);
    const run = await this.store.createRun({
      id: options.runId ?? randomUUID(),
      workflow: workflow.name,
      version: workflow.version,
      input: parsed,
      trigger: options.trigger ?? "api",
      dryRun: options.dryRun ?? false,
      parentRunId: options.parentRunId,
      status: "running",
      owner: this.driver.owner,
      leaseUntil: this.driver.leaseUntil(),
    });
    const done = this.driver.drive(run, workflow, { input: parsed }, options.onEvent, true);
    if (options.wait === false) {
      done.catch((error: unknown) =>
        this.logger.error({ runId: run.id, error: String(error) }, "background run failed"),
      );
      return run;
    }
    return done;
  }

  /** Waits for a run this process started in the background. */
  async wait(runId: string): Promise<RunRecord> {
    return (await this.driver.whenSettled(runId)) ?? (await this.mustGet(runId));
  }

  /**
   * Continues a run left `running` by a process that died, from its last checkpoint.
   * @throws SignalboxError RUN_NOT_FOUND, INVALID_TRANSITION
   */
  async resume(
    runId: string,
    options: { onEvent?: (event: RunEvent) => void; force?: boolean } = {},
  ): Promise<RunRecord> {
    const run = await this.mustGet(runId);
    if (run.status === "waiting") {
      throw new SignalboxError(
        ErrorCode.InvalidTransition,
        `run ${runId} is waiting for approval; approve or reject it instead (signalbox approve ${runId})`,
      );
    }
    if (run.status !== "running") {
      throw new SignalboxError(
        ErrorCode.InvalidTransition,
        `run ${runId} is ${run.status}; only a run left running by a stopped process can be resumed`,
      );
    }
    const leaseOver = run.leaseUntil !== null && run.leaseUntil < new Date().toISOString();
    if (!options.force && !isOwnerDead(run.owner) && !leaseOver) {
      throw new SignalboxError(
        ErrorCode.InvalidTransition,
        `run ${runId} is being driven by ${run.owner} (lease until ${run.leaseUntil}); it will be recovered if that process dies`,
      );
    }
    const claimed = await this.store.claimRun(
      runId,
      run.owner,
      this.driver.owner,
      this.driver.leaseUntil(),
    );
    if (claimed === undefined)
      throw new SignalboxError(
        ErrorCode.InvalidTransition,
        `run ${runId} was claimed by another process`,
      );
    this.logger.info({ runId, previousOwner: run.owner }, "resuming run from its last checkpoint");
    // A process that died before LangGraph saved the first checkpoint left nothing to
    // continue from: start the graph over from the stored input instead.
    const checkpoint = await this.store.checkpointer.getTuple({
      configurable: { thread_id: runId },
    });
    const graphInput = checkpoint === undefined ? { input: run.input } : null;
    return this.driver.drive(
      claimed,
      this.workflows.get(run.workflow),
      graphInput,
      options.onEvent,
      false,
    );
  }

  /**
   * Decides the pending approval of a waiting run and continues it.
   * After the deadline the approval counts as expired, whatever was asked.
   * @throws SignalboxError RUN_NOT_FOUND, INVALID_TRANSITION (e.g. the run already finished)
   */
  async approve(runId: string, options: ApproveOptions = {}): Promise<RunRecord> {
    const run = await this.mustGet(runId);
    if (run.status !== "waiting") {
      throw new SignalboxError(
        ErrorCode.InvalidTransition,
        `run ${runId} is ${run.status}, not waiting for approval; nothing to approve`,
      );
    }
    const [pending] = await this.store.listApprovals({ runId, status: "pending" });
    if (pending === undefined)
      throw new SignalboxError(ErrorCode.InvalidTransition, `run ${runId} has no pending approval`);
    const now = new Date().toISOString();
    const expired = pending.deadline !== null && pending.deadline < now;
    const status = expired ? "expired" : (options.decision ?? "approved");
    const by = expired ? "deadline" : (options.by ?? "unknown");
    const comment = expired
      ? `deadline ${pending.deadline} passed before the decision${options.by ? ` by ${options.by}` : ""}`
      : (options.comment ?? null);
    const decided = await this.store.decideApproval(pending.id, {
      status,
      decidedBy: by,
      decidedAt: now,
      comment,
    });
    if (decided === undefined)
      throw new SignalboxError(
        ErrorCode.InvalidTransition,
        `the approval of run ${runId} was decided by someone else meanwhile`,
      );
    const claimed = await this.store.transitionRun(runId, ["waiting"], {
      status: "running",
      owner: this.driver.owner,
      leaseUntil: this.driver.leaseUntil(),
    });
    if (claimed === undefined)
      throw new SignalboxError(
        ErrorCode.InvalidTransition,
        `run ${runId} stopped waiting meanwhile`,
      );
    const resume = new Command({ resume: { status, by, at: now, comment } });
    return this.driver.drive(
      claimed,
      this.workflows.get(run.workflow),
      resume,
      options.onEvent,
      false,
    );
  }

  /**
   * Cancels a run that has not finished. A run driven by another process stops at its next heartbeat.
   * @throws SignalboxError RUN_NOT_FOUND, INVALID_TRANSITION
   */
  async cancel(runId: string, reason = "cancelled"): Promise<RunRecord> {
    const run = await this.mustGet(runId);
    const cancelled = await this.store.transitionRun(runId, ["queued", "running", "waiting"], {
      status: "cancelled",
      error: reason,
      finishedAt: new Date().toISOString(),
    });
    if (cancelled === undefined)
      throw new SignalboxError(
        ErrorCode.InvalidTransition,
        `run ${runId} is ${run.status}; only unfinished runs can be cancelled`,
      );
    for (const approval of await this.store.listApprovals({ runId, status: "pending" })) {
      await this.store.decideApproval(approval.id, {
        status: "expired",
        decidedBy: "cancel",
        decidedAt: new Date().toISOString(),
        comment: reason,
      });
    }
    // A run driven here announces its own end when its invocation stops.
    if (this.driver.isActive(runId)) {
      this.driver.abort(runId);
      return cancelled;
    }
    this.driver.publish({
      type: "run-end",
      runId,
      status: "cancelled",
      error: reason,
      at: new Date().toISOString(),
    });
    return cancelled;
  }

  /**
   * Picks up what dead processes left: runs still `running` whose owner is gone
   * (or whose lease ran out) resume from their last checkpoint; waiting runs whose
   * approval deadline passed continue as expired. Returns the runs it touched.
   */
  async recover(options: { onEvent?: (event: RunEvent) => void } = {}): Promise<RunRecord[]> {
    const touched: RunRecord[] = [];
    const now = new Date().toISOString();
    for (const run of await this.store.listRuns({ status: "running", limit: 1000 })) {
      const leaseOver = run.leaseUntil !== null && run.leaseUntil < now;
      if (run.owner === this.driver.owner || (!isOwnerDead(run.owner) && !leaseOver)) continue;
      try {
        touched.push(await this.resume(run.id, { ...options, force: true }));
      } catch (error) {
        this.logger.warn({ runId: run.id, error: String(error) }, "could not recover run");
      }
    }
    for (const approval of await this.store.listApprovals({ status: "pending" })) {
      if (approval.deadline === null || approval.deadline >= now) continue;
      try {
        touched.push(await this.approve(approval.runId, { onEvent: options.onEvent }));
      } catch (error) {
        // Another process decided it, or the run stopped waiting, meanwhile.
        this.logger.warn(
          { runId: approval.runId, error: String(error) },
          "could not expire approval",
        );
      }
    }
    return touched;
  }

  /** @throws SignalboxError RUN_NOT_FOUND */
  async get(runId: string): Promise<RunDetails> {
    const run = await this.mustGet(runId);
    const [decisions, effects, approvals] = await Promise.all([
      this.store.listDecisions({ runId }),
      this.store.listEffects(runId),
      this.store.listApprovals({ runId }),
    ]);
    return { run, decisions, effects, approvals };
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

  /** Waits for background runs of this process, then closes the store. */
  async close(): Promise<void> {
    await this.driver.settleAll();
    await this.store.close();
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
