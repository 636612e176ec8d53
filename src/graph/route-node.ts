import { END } from "@langchain/langgraph";
import { createOfflineDecider } from "../models/offline-decider.ts";
import type { DecidedBy, DecisionKind, DecisionOption } from "./decision.ts";
import { beginNodeCall, type NodeCall, type NodeConfig, runNode } from "./node-call.ts";
import {
  type DecideOutcome,
  type Decider,
  decideWithRepair,
  routeAnswerSchema,
  toDecider,
} from "./route-decider.ts";
import { END_NODE, type RouteOptions, type RouteRequest } from "./types.ts";

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
  readonly latencyMs?: number;
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
      reason: `${decider.decidedBy} chose ${answer.branch} with confidence ${confidence?.toFixed(2)}, below the minimum ${options.minConfidence}: ${answer.reason}${repaired}`,
    };
  }
  return { ...base, kind: "route", branch: answer.branch, reason: `${answer.reason}${repaired}` };
}

function applyRules(
  state: AnyState,
  options: RouteOptions<AnyState>,
  names: string[],
): Choice | undefined {
  for (const rule of options.rules ?? []) {
    if (!rule.when(state)) continue;
    return {
      kind: rule.branch === options.escalationBranch ? "escalation" : "route",
      branch: rule.branch,
      reason: rule.reason ?? `rule "${rule.name}" matched`,
      confidence: 1,
      decidedBy: "rule",
      options: names.map((name) => ({ name })),
    };
  }
  return undefined;
}

function record(call: NodeCall, choice: Choice): void {
  call.decide({
    node: call.node,
    kind: choice.kind,
    options: [...choice.options],
    choice: choice.branch,
    reason: choice.reason,
    confidence: choice.confidence,
    decidedBy: choice.decidedBy,
    modelId: choice.modelId ?? null,
    tokensIn: choice.tokensIn ?? null,
    tokensOut: choice.tokensOut ?? null,
    latencyMs: choice.latencyMs === undefined ? null : Math.round(choice.latencyMs * 1000) / 1000,
  });
}

/**
 * Builds the LangGraph node for a routing step: rules first, then the
 * decider (validated against exactly the declared branches, one repair try),
 * then the declared default; low confidence goes to the escalation branch.
 */
export function createRouteNode(name: string, options: RouteOptions<AnyState>) {
  const names = Object.keys(options.branches);
  const schema = routeAnswerSchema(names);
  const targets = branchTargets(options);
  const branches = names.map((branch) => ({
    name: branch,
    description: options.branches[branch]?.description ?? branch,
    examples: options.branches[branch]?.examples ?? [],
  }));
  const decider =
    options.decider === null
      ? null
      : options.decider
        ? toDecider(options.decider as never, options.decidedBy)
        : createOfflineDecider(branches);
  const textOf = options.text ?? ((state: AnyState) => JSON.stringify(state.input ?? ""));
  return async (state: AnyState, config?: NodeConfig) => {
    const call = beginNodeCall(config, name);
    return runNode(call, async () => {
      let choice = applyRules(state, options, names);
      if (choice === undefined && decider === null) {
        choice = {
          kind: "route",
          branch: options.defaultBranch,
          reason: "no rule matched, so the declared default was taken",
          confidence: 1,
          decidedBy: "default",
          options: names.map((branch) => ({ name: branch })),
        };
      }
      if (choice === undefined && decider !== null) {
        const request: RouteRequest = { node: call.node, text: textOf(state), branches, state };
        choice = fromOutcome(
          await decideWithRepair(decider, request, schema),
          decider,
          options,
          names,
        );
      }
      if (choice === undefined) throw new Error(`route "${name}" made no choice`);
      record(call, choice);
      const routeChoice = {
        branch: choice.branch,
        reason: choice.reason,
        confidence: choice.confidence,
        decidedBy: choice.decidedBy,
      };
      return {
        update: { routes: { [name]: routeChoice } },
        goto: graphTarget(targets[choice.branch] ?? END_NODE),
      };
    });
  };
}
