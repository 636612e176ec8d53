import { Command, isGraphBubbleUp } from "@langchain/langgraph";
import {
  createDecisionRecord,
  type DecisionInput,
  type DecisionRecord,
} from "../contracts/decision.ts";
import { markFailedNode } from "./node-failure.ts";
import { getRunContext, getStep, type RunContext } from "./run-context.ts";
import type { StepContext } from "./types.ts";

/** The slice of LangGraph's node config that our nodes read. */
export interface NodeConfig {
  readonly context?: unknown;
  readonly metadata?: Record<string, unknown>;
  readonly configurable?: Record<string, unknown>;
  readonly signal?: AbortSignal;
  readonly executionInfo?: { readonly nodeAttempt: number };
}

/** One execution of one node: identity, and the decisions it makes. */
export interface NodeCall {
  readonly context: RunContext;
  /** The node name as it appears in the log (with any sub-workflow prefix). */
  readonly node: string;
  readonly step: number;
  readonly attempt: number;
  readonly signal: AbortSignal | undefined;
  readonly decisions: DecisionRecord[];
  decide(decision: DecisionInput): DecisionRecord;
  /** The idempotency key of the `index`-th effect this call performs. */
  effectKey(index: number): string;
  stepContext(): StepContext;
}

/** What a node body hands back: a state update, and where to go when the node routes. */
export interface NodeResult {
  readonly update: Record<string, unknown>;
  readonly goto?: string | readonly unknown[];
}

/** Sets up the bookkeeping for one node execution. `suffix` distinguishes fan-out items. */
export function beginNodeCall(config: NodeConfig | undefined, name: string, suffix = ""): NodeCall {
  const context = getRunContext(config);
  const node = `${context.nodePrefix}${name}${suffix}`;
  const step = getStep(config);
  const attempt = config?.executionInfo?.nodeAttempt ?? 1;
  const decisions: DecisionRecord[] = [];
  const call: NodeCall = {
    context,
    node,
    step,
    attempt,
    signal: config?.signal,
    decisions,
    decide(input) {
      // Numbered per kind: a replayed step (after a crash or a lost lease) may take a
      // different number of retries before its route decision, and must still overwrite
      // that decision instead of adding a second one.
      const ordinal = decisions.filter((decision) => decision.kind === input.kind).length;
      const record = createDecisionRecord(
        { ...input, node: input.node || node },
        {
          key: `${node}@${step}.${attempt}#${input.kind}${ordinal}`,
          runId: context.runId,
          step,
        },
      );
      decisions.push(record);
      return record;
    },
    effectKey: (index) => `${context.runId}:${node}:${step}:${index}`,
    stepContext: () => ({
      runId: context.runId,
      node,
      dryRun: context.dryRun,
      logger: context.logger.child({ node }),
      attempt,
      idempotencyKey: call.effectKey(0),
      signal: config?.signal,
      decide: (input) => {
        call.decide(input);
      },
    }),
  };
  return call;
}

/**
 * Runs a node body with events, logs and the decision log around it, and
 * turns its result into a LangGraph update or `Command`.
 */
export async function runNode(
  call: NodeCall,
  body: () => Promise<NodeResult>,
): Promise<Record<string, unknown> | Command> {
  const { context, node } = call;
  const started = Date.now();
  context.emit({
    type: "node-start",
    runId: context.runId,
    node,
    at: new Date(started).toISOString(),
  });
  context.logger.debug({ node, step: call.step, attempt: call.attempt }, "node start");
  try {
    const result = await body();
    await flushDecisions(call);
    emitEnd(call, started);
    // With a store-backed log the decisions are already stored; graph state stays without them.
    const inState = call.decisions.length > 0 && context.decisionLog === undefined;
    const update = inState ? { ...result.update, decisions: call.decisions } : result.update;
    if (result.goto === undefined) return update;
    return new Command({ update, goto: result.goto as string });
  } catch (error) {
    await flushDecisions(call);
    if (!isGraphBubbleUp(error)) {
      markFailedNode(error, node);
      const message = error instanceof Error ? error.message : String(error);
      context.logger.warn(
        { node, step: call.step, attempt: call.attempt, error: message },
        "node failed",
      );
      emitEnd(call, started, message);
    }
    throw error;
  }
}

function emitEnd(call: NodeCall, started: number, error?: string): void {
  const at = new Date().toISOString();
  const base = {
    type: "node-end" as const,
    runId: call.context.runId,
    node: call.node,
    at,
    durationMs: Date.now() - started,
  };
  call.context.emit(error === undefined ? base : { ...base, error });
}

async function flushDecisions(call: NodeCall): Promise<void> {
  if (call.decisions.length === 0) return;
  const stored = await call.context.recordDecisions(call.decisions);
  call.decisions.splice(0, call.decisions.length, ...stored);
  for (const decision of stored) {
    if (decision.kind === "route" || decision.kind === "escalation") {
      call.context.emit({ type: "branch-decision", runId: call.context.runId, decision });
    }
  }
}

/**
 * Wraps a node so that its state carries what the run store keeps instead of the
 * checkpoints: `decisions` is the run's stored decision log when the run context keeps
 * one (see {@link RunContext.decisionLog}), and `input` the stored input when the
 * graph keeps it out of its checkpoints and this invoke did not start with it.
 */
export function withDecisionLog<S extends Record<string, unknown>, R>(
  action: (state: S, config?: NodeConfig) => Promise<R>,
  /** `false` for a fan-out: its state travels in each `Send`, which is checkpointed. */
  withDecisions = true,
): (state: S, config?: NodeConfig) => Promise<R> {
  return async (state, config) => {
    const context = getRunContext(config);
    const log = withDecisions ? context.decisionLog : undefined;
    const input = state.input === undefined ? context.runInput : undefined;
    if (log === undefined && input === undefined) return action(state, config);
    const hydrated: Record<string, unknown> = { ...state };
    if (log !== undefined) hydrated.decisions = await log();
    if (input !== undefined) hydrated.input = input;
    return action(hydrated as S, config);
  };
}
