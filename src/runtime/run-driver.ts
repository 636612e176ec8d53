import { GraphRecursionError } from "@langchain/langgraph";
import type { Logger } from "pino";
import { isSignalboxError } from "../errors.ts";
import type { RunEvent } from "../graph/events.ts";
import type { Decider } from "../graph/route-decider.ts";
import { contextValue } from "../graph/run-context.ts";
import type { CompiledWorkflow } from "../graph/workflow.ts";
import type { ChatProvider } from "../models/chat-provider.ts";
import type { RunPatch, RunRecord, RunStatus, RunStore } from "../store/types.ts";
import { compensate } from "./compensate.ts";
import { createRunContext } from "./run-context.ts";

export interface RunDriverOptions {
  readonly store: RunStore;
  readonly logger: Logger;
  readonly owner: string;
  readonly leaseMs: number;
  readonly llm?: Decider;
  readonly chat?: ChatProvider;
}

/**
 * Drives one invocation of a run's graph: lease heartbeat, events,
 * and settling the run's status from how the graph stopped.
 */
export class RunDriver {
  readonly owner: string;
  private readonly listeners = new Set<(event: RunEvent) => void>();
  private readonly active = new Map<
    string,
    { controller: AbortController; done: Promise<RunRecord> }
  >();

  constructor(private readonly options: RunDriverOptions) {
    this.owner = options.owner;
  }

  leaseUntil(): string {
    return new Date(Date.now() + this.options.leaseMs).toISOString();
  }

  subscribe(listener: (event: RunEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(event: RunEvent, extra?: (event: RunEvent) => void): void {
    extra?.(event);
    for (const listener of this.listeners) listener(event);
  }

  isActive(runId: string): boolean {
    return this.active.has(runId);
  }

  abort(runId: string): void {
    this.active.get(runId)?.controller.abort(new Error("run cancelled"));
  }

  whenSettled(runId: string): Promise<RunRecord> | undefined {
    return this.active.get(runId)?.done;
  }

  async settleAll(): Promise<void> {
    await Promise.allSettled([...this.active.values()].map((entry) => entry.done));
  }

  /** Invokes the graph for `run` with `graphInput` (input, a resume `Command`, or null to continue). */
  drive(
    run: RunRecord,
    workflow: CompiledWorkflow,
    graphInput: unknown,
    onEvent: ((event: RunEvent) => void) | undefined,
    isNew: boolean,
  ): Promise<RunRecord> {
    const controller = new AbortController();
    const done = this.invoke(run, workflow, graphInput, controller, onEvent, isNew).finally(() =>
      this.active.delete(run.id),
    );
    this.active.set(run.id, { controller, done });
    return done;
  }

  private async invoke(
    run: RunRecord,
    workflow: CompiledWorkflow,
    graphInput: unknown,
    controller: AbortController,
    onEvent: ((event: RunEvent) => void) | undefined,
    isNew: boolean,
  ): Promise<RunRecord> {
    const emit = (event: RunEvent) => this.publish(event, onEvent);
    const { store } = this.options;
    const logger = this.options.logger.child({ runId: run.id, workflow: workflow.name });
    if (isNew)
      emit({ type: "run-start", runId: run.id, workflow: workflow.name, at: run.createdAt });
    const context = createRunContext({
      store,
      runId: run.id,
      workflow: workflow.name,
      dryRun: run.dryRun,
      logger: this.options.logger,
      emit,
      llm: this.options.llm,
      chat: this.options.chat,
    });
    const heartbeat = this.heartbeat(run.id, controller);
    try {
      const final = await workflow.graph(store.checkpointer).invoke(graphInput, {
        configurable: { thread_id: run.id },
        context: contextValue(context),
        signal: controller.signal,
        recursionLimit: workflow.maxSteps,
      });
      return await this.settle(run, workflow, final, emit);
    } catch (error) {
      return await this.fail(run, workflow, error, emit, logger);
    } finally {
      clearInterval(heartbeat);
    }
  }

  private heartbeat(runId: string, controller: AbortController): NodeJS.Timeout {
    const timer = setInterval(
      async () => {
        try {
          const renewed = await this.options.store.transitionRun(runId, ["running"], {
            status: "running",
            leaseUntil: this.leaseUntil(),
          });
          if (renewed === undefined)
            controller.abort(new Error("run is no longer running here (cancelled elsewhere)"));
        } catch (error) {
          this.options.logger.warn({ runId, error: String(error) }, "lease renewal failed");
        }
      },
      Math.max(50, Math.floor(this.options.leaseMs / 3)),
    );
    timer.unref();
    return timer;
  }

  private async finish(
    run: RunRecord,
    status: RunStatus,
    patch: RunPatch,
    emit: (event: RunEvent) => void,
  ): Promise<RunRecord> {
    const final = status !== "waiting";
    const settled = await this.options.store.transitionRun(run.id, ["running"], {
      ...patch,
      status,
      owner: null,
      leaseUntil: null,
      finishedAt: final ? new Date().toISOString() : null,
    });
    if (settled === undefined) return (await this.options.store.getRun(run.id)) as RunRecord;
    if (final)
      emit({
        type: "run-end",
        runId: run.id,
        status,
        output: settled.output ?? undefined,
        error: settled.error ?? undefined,
        at: settled.finishedAt ?? new Date().toISOString(),
      });
    return settled;
  }

  private async settle(
    run: RunRecord,
    workflow: CompiledWorkflow,
    final: Record<string, unknown>,
    emit: (event: RunEvent) => void,
  ): Promise<RunRecord> {
    const interrupts = final.__interrupt__;
    if (Array.isArray(interrupts) && interrupts.length > 0)
      return this.finish(run, "waiting", {}, emit);
    try {
      const output = workflow.parseOutput(final.output);
      return await this.finish(run, "succeeded", { output }, emit);
    } catch (error) {
      const message =
        final.output === undefined
          ? `the run reached its end without setting an output: ${String((error as Error).message)}`
          : String((error as Error).message);
      return this.finish(run, "failed", { error: message }, emit);
    }
  }

  private async fail(
    run: RunRecord,
    workflow: CompiledWorkflow,
    error: unknown,
    emit: (event: RunEvent) => void,
    logger: Logger,
  ): Promise<RunRecord> {
    const current = await this.options.store.getRun(run.id);
    if (current?.status === "cancelled") {
      emit({
        type: "run-end",
        runId: run.id,
        status: "cancelled",
        error: current.error ?? undefined,
        at: current.finishedAt ?? new Date().toISOString(),
      });
      return current;
    }
    const message =
      error instanceof GraphRecursionError
        ? `the run exceeded its hard limit of ${workflow.maxSteps} steps (maxSteps); a loop in the graph may not terminate`
        : isSignalboxError(error)
          ? `${error.code}: ${error.message}`
          : error instanceof Error
            ? error.message
            : String(error);
    logger.error({ error: message }, "run failed");
    const { allUndone } = await compensate(
      { store: this.options.store, workflow, runId: run.id, logger, emit },
      message,
    );
    return this.finish(run, allUndone ? "compensated" : "failed", { error: message }, emit);
  }
}
