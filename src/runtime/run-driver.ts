import type { Logger } from "pino";
import type { Decider } from "../contracts/decider.ts";
import { isSignalboxError } from "../errors.ts";
import type { RunEvent } from "../graph/events.ts";
import { contextValue } from "../graph/run-context.ts";
import type { CompiledWorkflow } from "../graph/workflow.ts";
import type { ChatProvider } from "../models/chat-provider.ts";
import type { ClassifierCache } from "../models/classifier-cache.ts";
import { leaseContext } from "../store/lease-context.ts";
import { leaseLost } from "../store/lease-lost.ts";
import type { Lease, RunRecord, RunSettlement, RunStore } from "../store/types.ts";
import { compensate } from "./compensate.ts";
import { EventLog } from "./event-log.ts";
import { graphInputFor } from "./graph-input.ts";
import { createRunContext } from "./run-context.ts";
import { failureText, toRunFailure } from "./run-failure.ts";
import { notifyObservers, type ObservedRun, type RunObserver } from "./run-observer.ts";

export interface RunDriverOptions {
  readonly store: RunStore;
  readonly logger: Logger;
  readonly owner: string;
  readonly leaseMs: number;
  readonly llm?: Decider;
  readonly chat?: ChatProvider;
  readonly classifierCache?: ClassifierCache;
}

/** One run being driven here: its lease, and how to stop it. */
interface ActiveRun {
  readonly lease: Lease;
  readonly controller: AbortController;
  lost: boolean;
  done?: Promise<RunRecord>;
}

const isLeaseLost = (error: unknown) => isSignalboxError(error, "LEASE_LOST");

/**
 * Drives claimed runs: invokes the graph under the run's lease, renews the lease,
 * logs events for followers, and settles the run from how the graph stopped. Every
 * write it makes, checkpoints included, is fenced by the lease: once another worker
 * claims the run (or it is cancelled) this driver stops without writing anything more.
 */
export class RunDriver {
  readonly owner: string;
  private readonly listeners = new Set<(event: RunEvent) => void>();
  private readonly observers = new Set<RunObserver>();
  private readonly active = new Map<string, ActiveRun>();

  constructor(private readonly options: RunDriverOptions) {
    this.owner = options.owner;
  }

  get leaseMs(): number {
    return this.options.leaseMs;
  }

  subscribe(listener: (event: RunEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Adds an observer of the runs driven here; returns the function that removes it. */
  observe(observer: RunObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  private notify(call: (observer: RunObserver) => void): void {
    if (this.observers.size === 0) return;
    notifyObservers(this.observers, call, (error) =>
      this.options.logger.warn({ error: String(error) }, "run observer failed"),
    );
  }

  isActive(runId: string): boolean {
    return this.active.has(runId);
  }

  get activeCount(): number {
    return this.active.size;
  }

  /** Tells this process's listeners about an event of a run not driven here. */
  publish(event: RunEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  /** Stops a run driven here that was cancelled (the store already fenced it off). */
  cancel(runId: string): void {
    const entry = this.active.get(runId);
    if (entry !== undefined) this.lose(entry, new Error("run cancelled"));
  }

  whenSettled(runId: string): Promise<RunRecord> | undefined {
    return this.active.get(runId)?.done;
  }

  async settleAll(): Promise<void> {
    await Promise.allSettled([...this.active.values()].map((entry) => entry.done));
  }

  /** Drives a run this owner has just claimed (`run.owner === this.owner`). */
  drive(
    run: RunRecord,
    workflow: CompiledWorkflow,
    onEvent?: (event: RunEvent) => void,
  ): Promise<RunRecord> {
    const entry: ActiveRun = {
      lease: { runId: run.id, owner: this.owner, epoch: run.epoch },
      controller: new AbortController(),
      lost: false,
    };
    // A newer claim of a run this process still drives (its lease ran out while the
    // process stalled): the old drive is stale, stop it.
    const stale = this.active.get(run.id);
    if (stale !== undefined) this.lose(stale, leaseLost(stale.lease));
    this.active.set(run.id, entry);
    const observed: ObservedRun = { runId: run.id, workflow: workflow.name, version: run.version };
    this.notify((observer) => observer.driveStart?.(run));
    entry.done = this.invoke(run, workflow, entry, onEvent, observed)
      .then(
        (settled) => {
          this.notify((observer) => observer.driveEnd?.(settled, observed));
          return settled;
        },
        (error: unknown) => {
          this.notify((observer) => observer.driveEnd?.(undefined, observed, error));
          throw error;
        },
      )
      .finally(() => {
        if (this.active.get(run.id) === entry) this.active.delete(run.id);
      });
    return entry.done;
  }

  private async invoke(
    run: RunRecord,
    workflow: CompiledWorkflow,
    entry: ActiveRun,
    onEvent: ((event: RunEvent) => void) | undefined,
    observed: ObservedRun,
  ): Promise<RunRecord> {
    const { store } = this.options;
    const logger = this.options.logger.child({ runId: run.id, workflow: workflow.name });
    const log = new EventLog(store, entry.lease, logger, (error) => this.lose(entry, error));
    const emit = (event: RunEvent) => {
      log.push(event);
      onEvent?.(event);
      this.publish(event);
      this.notify((observer) => observer.event?.(event, observed));
    };
    const heartbeat = this.heartbeat(entry);
    // The input is stored with the run; its checkpoints do not repeat it (issue 12).
    const graph = workflow.graph(store.checkpointer, { inputInStore: true });
    try {
      const start = await graphInputFor({ run, graph, store });
      if (start.kind === "still-waiting")
        return await this.settle(entry, log, { status: "waiting" });
      if (start.isNew)
        emit({ type: "run-start", runId: run.id, workflow: workflow.name, at: run.createdAt });
      const context = createRunContext({
        store,
        lease: entry.lease,
        runId: run.id,
        workflow: workflow.name,
        dryRun: run.dryRun,
        logger: this.options.logger,
        emit,
        onDecision: (decision) =>
          this.notify((observer) => observer.decision?.(decision, observed)),
        llm: this.options.llm,
        chat: this.options.chat,
        classifierCache: this.options.classifierCache,
        // Only a first claim is sure no earlier driver stored a decision.
        newRun: run.epoch === 1,
        runInput: run.input,
      });
      // Inside the lease's context, the store fences each checkpoint write atomically.
      const final = await leaseContext.run(entry.lease, () =>
        graph.invoke(start.input, {
          configurable: { thread_id: run.id },
          context: contextValue(context),
          signal: entry.controller.signal,
          recursionLimit: workflow.maxSteps,
          durability: durabilityOf(run),
        }),
      );
      return await this.finish(entry, workflow, final, { emit, log });
    } catch (error) {
      return await this.fail(entry, workflow, error, { emit, log, logger });
    } finally {
      clearInterval(heartbeat);
    }
  }

  private lose(entry: ActiveRun, error: unknown): void {
    if (entry.lost) return;
    entry.lost = true;
    this.options.logger.warn(
      { runId: entry.lease.runId, epoch: entry.lease.epoch },
      "lost the run; stopping",
    );
    entry.controller.abort(error);
  }

  private heartbeat(entry: ActiveRun): NodeJS.Timeout {
    const { store, leaseMs, logger } = this.options;
    const timer = setInterval(
      async () => {
        try {
          if (!(await store.renewLease(entry.lease, leaseMs)))
            this.lose(entry, leaseLost(entry.lease));
        } catch (error) {
          logger.warn({ runId: entry.lease.runId, error: String(error) }, "lease renewal failed");
        }
      },
      Math.max(50, Math.floor(leaseMs / 3)),
    );
    timer.unref();
    return timer;
  }

  /** Stores the events, then ends the hold; a lost lease ends it with no write at all. */
  private async settle(
    entry: ActiveRun,
    log: EventLog,
    settlement: RunSettlement,
  ): Promise<RunRecord> {
    await log.flush();
    if (!entry.lost) {
      try {
        return await this.options.store.settleRun(entry.lease, settlement);
      } catch (error) {
        if (!isLeaseLost(error)) throw error;
        this.lose(entry, error);
      }
    }
    return (await this.options.store.getRun(entry.lease.runId)) as RunRecord;
  }

  private async finish(
    entry: ActiveRun,
    workflow: CompiledWorkflow,
    final: Record<string, unknown>,
    sinks: { emit: (event: RunEvent) => void; log: EventLog },
  ): Promise<RunRecord> {
    const interrupts = final.__interrupt__;
    if (Array.isArray(interrupts) && interrupts.length > 0)
      return this.settle(entry, sinks.log, { status: "waiting" });
    let settlement: RunSettlement;
    try {
      settlement = { status: "succeeded", output: workflow.parseOutput(final.output) };
    } catch (error) {
      const message =
        final.output === undefined
          ? `the run reached its end without setting an output: ${String((error as Error).message)}`
          : String((error as Error).message);
      const failure = toRunFailure(error, { maxSteps: workflow.maxSteps });
      settlement = { status: "failed", error: message, failure: { ...failure, message } };
    }
    return this.end(entry, settlement, sinks);
  }

  /** Announces the end (in the event log first, so followers see it), then settles. */
  private end(
    entry: ActiveRun,
    settlement: RunSettlement,
    sinks: { emit: (event: RunEvent) => void; log: EventLog },
  ): Promise<RunRecord> {
    sinks.emit({
      type: "run-end",
      runId: entry.lease.runId,
      status: settlement.status,
      output: settlement.output,
      error: settlement.error ?? undefined,
      at: new Date().toISOString(),
    });
    return this.settle(entry, sinks.log, settlement);
  }

  private async fail(
    entry: ActiveRun,
    workflow: CompiledWorkflow,
    error: unknown,
    sinks: { emit: (event: RunEvent) => void; log: EventLog; logger: Logger },
  ): Promise<RunRecord> {
    const runId = entry.lease.runId;
    if (entry.lost || isLeaseLost(error)) {
      this.lose(entry, error);
      const current = (await this.options.store.getRun(runId)) as RunRecord;
      if (current.status === "cancelled") this.announceCancelled(current, sinks.emit);
      return current;
    }
    const failure = toRunFailure(error, { maxSteps: workflow.maxSteps });
    const message = failureText(failure, error);
    sinks.logger.error({ error: message, code: failure.code, node: failure.node }, "run failed");
    try {
      const { allUndone } = await compensate(
        {
          store: this.options.store,
          lease: entry.lease,
          workflow,
          runId,
          logger: sinks.logger,
          emit: sinks.emit,
        },
        message,
      );
      return await this.end(
        entry,
        { status: allUndone ? "compensated" : "failed", error: message, failure },
        sinks,
      );
    } catch (compensationError) {
      if (!isLeaseLost(compensationError)) throw compensationError;
      this.lose(entry, compensationError);
      return (await this.options.store.getRun(runId)) as RunRecord;
    }
  }

  /** A run cancelled while driven here: tell local listeners (the store already says so). */
  private announceCancelled(run: RunRecord, emit: (event: RunEvent) => void): void {
    emit({
      type: "run-end",
      runId: run.id,
      status: "cancelled",
      error: run.error ?? undefined,
      at: run.finishedAt ?? new Date().toISOString(),
    });
  }
}

/**
 * How often LangGraph checkpoints a run. An eval case (a dry-run started by
 * `signalbox eval`) is checkpointed once, when the graph stops (ends, fails or pauses
 * at an approval): nothing it does is real, and a case cut short is rerun by the
 * next eval, so a checkpoint per step bought nothing but store writes (issue 12).
 * Every other run checkpoints before each step, so a crash resumes where it was.
 */
export function durabilityOf(run: Pick<RunRecord, "dryRun" | "trigger">): "exit" | "async" {
  return run.dryRun && run.trigger === "eval" ? "exit" : "async";
}
