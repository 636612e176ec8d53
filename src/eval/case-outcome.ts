import type { DecisionRecord } from "../contracts/decision.ts";
import { errorMessage, isSignalboxError } from "../errors.ts";
import type { CompiledWorkflow } from "../graph/workflow.ts";
import type { RunDetails } from "../runtime/runtime.ts";
import type { CaseOutcome, RouteOutcome, ToolCallOutcome } from "./types.ts";

/** The escalation branch of each route node of a workflow (null when it declares none). */
export function escalationBranches(workflow: CompiledWorkflow): Map<string, string | null> {
  const branches = new Map<string, string | null>();
  for (const spec of workflow.nodes) {
    if (spec.kind === "route") branches.set(spec.name, spec.options.escalationBranch ?? null);
  }
  return branches;
}

function topOption(decision: DecisionRecord): string | null {
  let best: { name: string; score: number } | undefined;
  for (const option of decision.options) {
    if (option.score === undefined) continue;
    if (best === undefined || option.score > best.score)
      best = { name: option.name, score: option.score };
  }
  return best?.name ?? null;
}

function routeOutcomes(
  decisions: readonly DecisionRecord[],
  escalation: ReadonlyMap<string, string | null>,
): Record<string, RouteOutcome> {
  const routes: Record<string, RouteOutcome> = {};
  for (const decision of decisions) {
    if (!escalation.has(decision.node)) continue;
    if (decision.kind !== "route" && decision.kind !== "escalation") continue;
    routes[decision.node] = {
      choice: decision.choice,
      kind: decision.kind,
      decidedBy: decision.decidedBy,
      confidence: decision.confidence,
      top: topOption(decision),
      escalationBranch: escalation.get(decision.node) ?? null,
      latencyMs: decision.latencyMs,
    };
  }
  return routes;
}

const DECLINED = new Set(["refused", "invalid_arguments", "rejected"]);

/** The tool calls of agent steps, read from their `tool` decisions (a declined call names its tool in the reason). */
export function toolCallOutcomes(decisions: readonly DecisionRecord[]): ToolCallOutcome[] {
  return decisions
    .filter((decision) => decision.kind === "tool")
    .map((decision) => {
      if (!DECLINED.has(decision.choice))
        return { node: decision.node, tool: decision.choice, outcome: "ran" as const };
      const named = /tool "([^"]+)" is not available|arguments for ([\w-]+)|call of ([\w-]+)/.exec(
        decision.reason,
      );
      const tool = named?.slice(1).find(Boolean) ?? "unknown";
      return { node: decision.node, tool, outcome: decision.choice as ToolCallOutcome["outcome"] };
    });
}

/** True when a route decision went to the LLM tier (it answered, or failed and the default was taken). */
function isLlmDecision(decision: DecisionRecord): boolean {
  if (decision.decidedBy === "llm") return true;
  return decision.decidedBy === "default" && /from the llm/.test(decision.reason);
}

function costs(decisions: readonly DecisionRecord[], hasLlm: boolean) {
  let tokensIn = 0;
  let tokensOut = 0;
  let costUsd = 0;
  let llmDecisions = 0;
  let llmAvoided = 0;
  for (const decision of decisions) {
    tokensIn += decision.tokensIn ?? 0;
    tokensOut += decision.tokensOut ?? 0;
    costUsd += decision.costUsd ?? 0;
    if (decision.kind !== "route" && decision.kind !== "escalation") continue;
    if (isLlmDecision(decision)) llmDecisions += 1;
    else if (hasLlm && (decision.decidedBy === "rule" || decision.decidedBy === "classifier"))
      llmAvoided += 1;
  }
  return { tokensIn, tokensOut, costUsd, llmDecisions, llmAvoided };
}

/** Options of {@link outcomeOfRun}. */
export interface RunOutcomeOptions {
  readonly details: RunDetails;
  /** The run's status when it ended (before an eval cancels a run left waiting). */
  readonly status: CaseOutcome["status"];
  readonly escalation: ReadonlyMap<string, string | null>;
  readonly latencyMs: number;
  /** Whether the configuration has an LLM tier (for counting the calls it avoided). */
  readonly hasLlm: boolean;
}

function isEscalated(
  decisions: readonly DecisionRecord[],
  routes: Readonly<Record<string, RouteOutcome>>,
): boolean {
  return (
    decisions.some((decision) => decision.kind === "escalation") ||
    Object.values(routes).some((route) => route.choice === route.escalationBranch)
  );
}

/** Reads a finished (or paused) run into a case outcome. */
export function outcomeOfRun(options: RunOutcomeOptions): CaseOutcome {
  const { details, escalation } = options;
  const routes = routeOutcomes(details.decisions, escalation);
  return {
    runId: details.run.id,
    status: options.status,
    error: details.run.error,
    output: details.run.output ?? null,
    routes,
    effects: details.effects.map((effect) => ({
      name: effect.name,
      node: effect.node,
      status: effect.status,
      args: effect.args,
    })),
    toolCalls: toolCallOutcomes(details.decisions),
    escalated: isEscalated(details.decisions, routes),
    latencyMs: options.latencyMs,
    ...costs(details.decisions, options.hasLlm),
  };
}

/** Options of {@link outcomeOfRoute}. */
export interface RouteCaseOptions {
  /** The decisions the route made for the case, in order (never stored). */
  readonly decisions: readonly DecisionRecord[];
  /** The output the workflow's run would have ended with. */
  readonly output: unknown;
  readonly escalation: ReadonlyMap<string, string | null>;
  readonly latencyMs: number;
  readonly hasLlm: boolean;
}

/**
 * The outcome of a case scored by its route decision alone (a route-only workflow,
 * no run): what {@link outcomeOfRun} reads from that run, without a run id.
 */
export function outcomeOfRoute(options: RouteCaseOptions): CaseOutcome {
  const { decisions } = options;
  const routes = routeOutcomes(decisions, options.escalation);
  return {
    runId: null,
    status: "succeeded",
    error: null,
    output: options.output,
    routes,
    effects: [],
    toolCalls: toolCallOutcomes(decisions),
    escalated: isEscalated(decisions, routes),
    latencyMs: options.latencyMs,
    ...costs(decisions, options.hasLlm),
  };
}

/** The outcome of a case whose run could not start: rejected input, or another error. */
export function outcomeOfError(error: unknown, latencyMs: number): CaseOutcome {
  const rejected = isSignalboxError(error, "INPUT_INVALID");
  return {
    runId: null,
    status: rejected ? "rejected" : "error",
    error: errorMessage(error),
    output: null,
    routes: {},
    effects: [],
    escalated: false,
    latencyMs,
    tokensIn: 0,
    tokensOut: 0,
    costUsd: 0,
    llmDecisions: 0,
    llmAvoided: 0,
  };
}
