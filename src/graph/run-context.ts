import type { Logger } from "pino";
import pino from "pino";
import type { Decider } from "../contracts/decider.ts";
import type { DecisionRecord } from "../contracts/decision.ts";
import type { ChatProvider } from "../models/chat-provider.ts";
import type { ClassifierCache } from "../models/classifier-cache.ts";
import type { RunEvent } from "./events.ts";

/** What the effect journal needs to run (or plan, or replay) one side effect. */
export interface EffectCall<T> {
  readonly key: string;
  readonly node: string;
  readonly name: string;
  readonly effect: "write" | "irreversible";
  readonly args: unknown;
  readonly perform: () => Promise<T>;
}

/** What came of an effect call. `planned` means dry-run: nothing happened. */
export type EffectOutcome<T> =
  | { readonly status: "performed"; readonly result: T }
  | { readonly status: "replayed"; readonly result: T }
  | { readonly status: "planned" };

/** An approval request as the graph raises it. */
export interface ApprovalRequest {
  readonly id: string;
  readonly node: string;
  readonly message: string;
  readonly details: unknown;
  readonly deadline: string | null;
}

/**
 * What the runtime hands every node of a run (through LangGraph's `context`):
 * identity, the logger, and the durable services. Graph code never touches
 * the store directly; a graph run without a runtime gets {@link detachedContext}.
 */
export interface RunContext {
  readonly runId: string;
  readonly workflow: string;
  readonly dryRun: boolean;
  readonly logger: Logger;
  /** Prefix for node names inside sub-workflows (`child/`), empty at top level. */
  readonly nodePrefix: string;
  /** The LLM tier for route cascades, when a model is configured. */
  readonly llm?: Decider;
  /** The configured chat model, for agent steps that name none. */
  readonly chat?: ChatProvider;
  /** Where routes' offline classifiers are kept between processes; without one they train. */
  readonly classifierCache?: ClassifierCache;
  emit(event: RunEvent): void;
  /** Stores decisions (idempotently, by key) and returns them with their sequence numbers. */
  recordDecisions(decisions: readonly DecisionRecord[]): Promise<readonly DecisionRecord[]>;
  /**
   * The run's decisions so far, when a store holds them: nodes then see these as
   * `state.decisions` and write none into graph state, so no checkpoint carries the
   * log (issue 12: it made checkpoints grow faster than the run and kept old
   * checkpoints alive). Absent for a detached run, whose decisions live in graph state.
   */
  readonly decisionLog?: () => Promise<readonly DecisionRecord[]>;
  /**
   * The run's input as stored with the run, for graphs compiled with `inputInStore`
   * (their checkpoints do not carry it): nodes that find no input in state get this.
   */
  readonly runInput?: unknown;
  runEffect<T>(call: EffectCall<T>): Promise<EffectOutcome<T>>;
  requestApproval(request: ApprovalRequest): Promise<void>;
  /** A context for a sub-workflow run inside this one. */
  child(prefix: string): RunContext;
}

const silent = pino({ level: "silent" });

/**
 * A context for graphs run by plain LangGraph (no signalbox runtime):
 * decisions stay in graph state, effects run without a journal.
 */
export function detachedContext(runId = "detached", dryRun = false, prefix = ""): RunContext {
  return {
    runId,
    workflow: "detached",
    dryRun,
    logger: silent,
    nodePrefix: prefix,
    emit: () => {},
    recordDecisions: async (decisions) => decisions,
    runEffect: async <T>(call: EffectCall<T>): Promise<EffectOutcome<T>> =>
      dryRun ? { status: "planned" } : { status: "performed", result: await call.perform() },
    requestApproval: async () => {},
    child: (childPrefix) => detachedContext(runId, dryRun, `${prefix}${childPrefix}`),
  };
}

interface ConfigLike {
  readonly context?: unknown;
  readonly metadata?: Record<string, unknown>;
  readonly configurable?: Record<string, unknown>;
}

const CONTEXT_KEY = "signalbox";

/** Wraps a run context the way LangGraph's `context` option expects it. */
export function contextValue(context: RunContext): Record<string, unknown> {
  return { [CONTEXT_KEY]: context };
}

/** Finds the run context a node was called with, or a detached one. */
export function getRunContext(config: ConfigLike | undefined): RunContext {
  const holder = config?.context as Record<string, unknown> | undefined;
  const found = holder?.[CONTEXT_KEY];
  if (found !== undefined) return found as RunContext;
  const threadId = config?.configurable?.thread_id;
  return detachedContext(typeof threadId === "string" ? threadId : "detached");
}

/** The LangGraph superstep a node runs in; stable when a step is replayed after a crash. */
export function getStep(config: ConfigLike | undefined): number {
  const step = config?.metadata?.langgraph_step;
  return typeof step === "number" ? step : 0;
}
