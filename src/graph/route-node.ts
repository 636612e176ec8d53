import { END } from "@langchain/langgraph";
import type { Decider, RouteRequest } from "../contracts/decider.ts";
import type {
  DecidedBy,
  DecisionInput,
  DecisionKind,
  DecisionOption,
} from "../contracts/decision.ts";
import {
  type DecisionSeen,
  describeSeen,
  type SeenDecider,
  trainingFingerprint,
} from "../contracts/decision-seen.ts";
import { DEFAULT_CLASSIFIER_THRESHOLD } from "../models/lexical-classifier.ts";
import { createOfflineDecider } from "../models/offline-decider.ts";
import { beginNodeCall, type NodeConfig, runNode } from "./node-call.ts";
import { normalizeText } from "./normalize-text.ts";
import {
  type DecideOutcome,
  decideWithRepair,
  isChatModel,
  type RouteAnswerSchema,
  routeAnswerSchema,
  toDecider,
} from "./route-decider.ts";
import type { RunContext } from "./run-context.ts";
import { END_NODE, type RouteChoice, type RouteOptions } from "./types.ts";

type AnyState = Record<string, unknown>;

/** Where each branch of a route leads. */
export function branchTargets(options: RouteOptions<AnyState>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(options.branches).map(([branch, spec]) => [branch, spec.to ?? branch]),
  );
}

/** A node name as LangGraph knows it (`end` is LangGraph's END). */
export function graphTarget(target: string): string {
  return target === END_NODE ? END : target;
}

interface Choice {
  readonly kind: DecisionKind;
  readonly branch: string;
  readonly reason: string;
  readonly confidence: number | null;
  readonly decidedBy: DecidedBy;
  readonly options: readonly DecisionOption[];
  readonly modelId?: string;
  readonly tokensIn?: number;
  readonly tokensOut?: number;
  readonly costUsd?: number;
  readonly latencyMs?: number;
  /** For the kept inputs: the rule that decided, or the branch proposed before escalation. */
  readonly rule?: string;
  readonly proposed?: string;
}

function fromOutcome(
  outcome: DecideOutcome,
  decider: Decider,
  options: RouteOptions<AnyState>,
  names: string[],
): Choice {
  const plain = names.map((name) => ({ name }));
  if (!outcome.ok) {
    return {
      kind: "route",
      branch: options.defaultBranch,
      reason: `no valid answer from the ${decider.decidedBy} after one repair try, so the declared default was taken: ${outcome.problems.join(" | ")}`,
      confidence: null,
      decidedBy: "default",
      options: plain,
      modelId: outcome.last?.modelId,
      latencyMs: outcome.latencyMs,
    };
  }
  const { answer } = outcome;
  const confidence = answer.confidence ?? null;
  const repaired = outcome.repaired
    ? " (valid on the repair try; the first answer was invalid)"
    : "";
  const scored = answer.scores
    ? names.map((name) => ({
        name,
        score: answer.scores?.find((s) => s.name === name)?.score ?? 0,
      }))
    : plain;
  const base = {
    confidence,
    decidedBy: decider.decidedBy,
    options: scored,
    modelId: answer.modelId,
    tokensIn: answer.tokensIn,
    tokensOut: answer.tokensOut,
    costUsd: answer.costUsd,
    latencyMs: outcome.latencyMs,
  };
  const low =
    options.minConfidence !== undefined &&
    options.escalationBranch !== undefined &&
    (confidence ?? 1) < options.minConfidence;
  if (low && options.escalationBranch !== undefined && answer.branch !== options.escalationBranch) {
    return {
      ...base,
      kind: "escalation",
      branch: options.escalationBranch,
      proposed: answer.branch,
      reason: `${decider.decidedBy} chose ${answer.branch} with confidence ${confidence?.toFixed(2)}, below the minimum ${options.minConfidence}: ${answer.reason}${repaired}`,
    };
  }
  return { ...base, kind: "route", branch: answer.branch, reason: `${answer.reason}${repaired}` };
}

function applyRules(
  state: AnyState,
  text: string,
  options: RouteOptions<AnyState>,
  names: string[],
): Choice | undefined {
  for (const rule of options.rules ?? []) {
    if (!rule.when(state, text)) continue;
    const why = typeof rule.reason === "function" ? rule.reason(state) : rule.reason;
    return {
      kind: rule.branch === options.escalationBranch ? "escalation" : "route",
      branch: rule.branch,
      // The log names the rule, so "decided by rule" says which one.
      reason: why ? `${why} (rule "${rule.name}")` : `rule "${rule.name}" matched`,
      confidence: 1,
      decidedBy: "rule",
      options: names.map((name) => ({ name })),
      rule: rule.name,
    };
  }
  return undefined;
}

function record(scope: RouteScope, choice: Choice, seen: DecisionSeen): void {
  scope.decide({
    seen,
    node: scope.node,
    kind: choice.kind,
    options: [...choice.options],
    choice: choice.branch,
    reason: choice.reason,
    confidence: choice.confidence,
    decidedBy: choice.decidedBy,
    modelId: choice.modelId ?? null,
    tokensIn: choice.tokensIn ?? null,
    tokensOut: choice.tokensOut ?? null,
    costUsd: choice.costUsd ?? null,
    latencyMs: choice.latencyMs === undefined ? null : Math.round(choice.latencyMs * 1000) / 1000,
  });
}

interface CascadeInput {
  readonly decider: Decider;
  readonly llm: Decider | undefined;
  readonly request: RouteRequest;
  readonly schema: RouteAnswerSchema;
  readonly report: (decision: DecisionInput) => void;
  readonly options: RouteOptions<AnyState>;
  readonly names: string[];
}

/**
 * The cascade after the rules: the first decider (the classifier, or the
 * route's own decider) decides alone when there is no LLM tier or when it is
 * confident enough; otherwise the LLM tier decides, with the classifier's
 * scores kept in the record.
 */
async function cascade(input: CascadeInput): Promise<Choice> {
  const { decider, llm, request, schema, report, options, names } = input;
  const first = await decideWithRepair(decider, request, schema, report);
  const threshold = options.classifierThreshold ?? DEFAULT_CLASSIFIER_THRESHOLD;
  const confidence = first.ok ? (first.answer.confidence ?? 0) : 0;
  if (llm === undefined) return fromOutcome(first, decider, options, names);
  if (first.ok && confidence >= threshold) {
    const choice = fromOutcome(first, decider, options, names);
    return {
      ...choice,
      reason: `${choice.reason}; confidence ${confidence.toFixed(2)} ≥ ${threshold}, so no LLM call`,
    };
  }
  const second = await decideWithRepair(llm, request, schema, report);
  const choice = fromOutcome(second, llm, options, names);
  const before = first.ok
    ? `classifier said ${first.answer.branch} at ${confidence.toFixed(2)} < ${threshold}`
    : "classifier gave no answer";
  const scored = choice.options.some((option) => option.score !== undefined)
    ? choice.options
    : fromOutcome(first, decider, options, names).options;
  return { ...choice, options: scored, reason: `${before}, so the LLM decided: ${choice.reason}` };
}

/** Where a route decision is made: the node as logged, the run's LLM tier, and where its records go. */
export interface RouteScope {
  /** The node name as it appears in the log (with any sub-workflow prefix). */
  readonly node: string;
  /** The run's LLM tier (used when the route declares no decider and does not turn it off). */
  readonly llm: Decider | undefined;
  /** Where the offline classifier is restored from instead of trained (a run's; none trains). */
  readonly classifierCache?: RunContext["classifierCache"];
  /** Receives every decision the route makes, in order: the decider's own, then the route's. */
  decide(decision: DecisionInput): void;
}

/** A route's choice for one state: rules, the decider or cascade, repair, default, escalation. */
export interface RouteDecision {
  (state: AnyState, scope: RouteScope): Promise<RouteChoice>;
  /**
   * Builds the decider now instead of on the first decision: trains the offline
   * classifier (or restores it from `classifierCache`), so a timed loop does not pay it.
   */
  prepare(classifierCache?: RouteScope["classifierCache"]): void;
}

/**
 * Builds the decision of a routing step: rules first, then the decider
 * (validated against exactly the declared branches, one repair try), then the
 * declared default; low confidence goes to the escalation branch. The route
 * node runs it inside a graph; an eval can run it alone (issue 12).
 */
export function createRouteDecision(name: string, options: RouteOptions<AnyState>): RouteDecision {
  const names = Object.keys(options.branches);
  const schema = routeAnswerSchema(names);
  const branches = names.map((branch) => ({
    name: branch,
    description: options.branches[branch]?.description ?? branch,
    examples: options.branches[branch]?.examples ?? [],
  }));
  // The offline classifier is made on the route's first decision, with the run's
  // classifier cache: building the graph (to draw it, or for a run that never gets
  // here) trains nothing.
  const own =
    options.decider === null
      ? null
      : options.decider
        ? toDecider(options.decider as never, options.decidedBy)
        : undefined;
  let offline: Decider | undefined;
  const deciderIn = (classifierCache: RouteScope["classifierCache"]): Decider | null => {
    if (own !== undefined) return own;
    offline ??= createOfflineDecider(branches, options.trainingExamples, classifierCache);
    return offline;
  };
  const textOf = options.text ?? ((state: AnyState) => JSON.stringify(state.input ?? ""));
  const seenDecider = deciderIdentity(options, branches);
  const ownTier = options.decider === undefined && options.llm !== false;
  const decide = async (state: AnyState, scope: RouteScope): Promise<RouteChoice> => {
    // Rules and deciders read the same normalised text, so obfuscation that a person
    // would not see (fullwidth letters, zero-width spaces) cannot tell them apart.
    const text = normalizeText(textOf(state));
    const llm = ownTier ? ((options.llm || undefined) ?? scope.llm) : undefined;
    let choice = applyRules(state, text, options, names);
    if (choice === undefined && own === null) {
      choice = {
        kind: "route",
        branch: options.defaultBranch,
        reason: "no rule matched, so the declared default was taken",
        confidence: 1,
        decidedBy: "default",
        options: names.map((branch) => ({ name: branch })),
      };
    }
    const decider = choice === undefined ? deciderIn(scope.classifierCache) : null;
    if (choice === undefined && decider !== null) {
      const request: RouteRequest = { node: scope.node, text, branches, state };
      const report = (decision: DecisionInput) => scope.decide(decision);
      choice = await cascade({ decider, llm, request, schema, report, options, names });
    }
    if (choice === undefined) throw new Error(`route "${name}" made no choice`);
    const llmTier = llm !== undefined;
    record(scope, choice, keptInputs({ text, names, options, seenDecider, choice, llmTier }));
    const { branch, reason, confidence, decidedBy } = choice;
    return { branch, reason, confidence, decidedBy };
  };
  const prepare = (classifierCache?: RouteScope["classifierCache"]) => {
    deciderIn(classifierCache)?.prepare?.();
  };
  return Object.assign(decide, { prepare });
}

/** Builds the LangGraph node for a routing step around {@link createRouteDecision}. */
export function createRouteNode(
  name: string,
  options: RouteOptions<AnyState>,
  decide: RouteDecision = createRouteDecision(name, options),
) {
  const targets = branchTargets(options);
  return async (state: AnyState, config?: NodeConfig) => {
    const call = beginNodeCall(config, name);
    return runNode(call, async () => {
      const routeChoice = await decide(state, {
        node: call.node,
        llm: call.context.llm,
        classifierCache: call.context.classifierCache,
        decide: (decision) => {
          call.decide(decision);
        },
      });
      return {
        update: { routes: { [name]: routeChoice } },
        goto: graphTarget(targets[routeChoice.branch] ?? END_NODE),
      };
    });
  };
}

function deciderIdentity(
  options: RouteOptions<AnyState>,
  branches: Parameters<typeof trainingFingerprint>[0],
): SeenDecider {
  if (options.decider === null) return { kind: "rules-only", version: null };
  if (options.decider === undefined)
    return {
      kind: "offline-classifier",
      version: trainingFingerprint(branches, options.trainingExamples),
    };
  if (isChatModel(options.decider)) {
    const model = options.decider;
    return {
      kind: "chat-model",
      version: typeof model.getName === "function" ? model.getName() : null,
    };
  }
  return { kind: "function", version: null };
}

interface KeptInputsParts {
  readonly text: string;
  readonly names: readonly string[];
  readonly options: RouteOptions<AnyState>;
  readonly seenDecider: SeenDecider;
  readonly choice: Choice;
  readonly llmTier: boolean;
}

/** What the decider saw, bounded in size, for the record (issue 17: asked again later). */
function keptInputs(parts: KeptInputsParts): DecisionSeen {
  const { options, choice } = parts;
  return describeSeen({
    text: parts.text,
    branches: [...parts.names],
    defaultBranch: options.defaultBranch,
    escalationBranch: options.escalationBranch ?? null,
    minConfidence: options.minConfidence ?? null,
    threshold: parts.llmTier ? (options.classifierThreshold ?? DEFAULT_CLASSIFIER_THRESHOLD) : null,
    decider: parts.seenDecider,
    rule: choice.rule ?? null,
    proposed: choice.proposed ?? null,
  });
}
