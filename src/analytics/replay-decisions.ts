import type { Decider, RouteRequest } from "../contracts/decider.ts";
import type { DecisionRecord } from "../contracts/decision.ts";
import type { DecisionSeen } from "../contracts/decision-seen.ts";
import { decideWithRepair } from "../graph/route-decider.ts";
import type { BranchText } from "../models/offline-decider.ts";
import type { RunStore } from "../store/types.ts";
import { isCorrection } from "./decision-path.ts";

/** Which recorded decisions to ask again. */
export interface ReplayFilter {
  readonly workflow?: string;
  readonly node?: string;
  /** ISO time: only decisions made at or after it. */
  readonly since?: string;
  readonly limit?: number;
}

/**
 * The other decider: a new escalation threshold (no decider asked: the recorded
 * confidence is compared again), or a decider asked again with the kept text —
 * a retrained classifier or another model.
 */
export type ReplayDecider =
  | { readonly kind: "threshold"; readonly threshold: number }
  | {
      readonly kind: "decider";
      /** Shown in the report, e.g. `classifier corrections.jsonl`, `openai:gpt-4.1-mini`. */
      readonly name: string;
      /** The decider for a route, given its declared branches; undefined skips the route. */
      readonly deciderFor: (node: string, branches: readonly BranchText[]) => Decider | undefined;
    };

/** One decision that would go elsewhere. */
export interface ReplayFlip {
  readonly runId: string;
  readonly node: string;
  readonly key: string;
  readonly from: string;
  readonly to: string;
  readonly confidenceBefore: number | null;
  readonly confidenceAfter: number | null;
  readonly reason: string;
}

/** Tokens, latency and cost of the decisions asked, as recorded and as replayed. */
export interface ReplayCost {
  readonly tokens: number;
  readonly latencyMs: number;
  readonly costUsd: number;
}

/** What `signalbox replay` reports; plain JSON. */
export interface ReplayReport {
  readonly decider: string;
  readonly considered: number;
  readonly replayed: number;
  /** Decisions not asked again, by why: `rule`, `rules only`, `human`, `no kept inputs`, `no confidence`, `route not known`. */
  readonly skipped: Readonly<Record<string, number>>;
  readonly flips: readonly ReplayFlip[];
  /** Old branch → new branch → count, over the replayed decisions (the diagonal included). */
  readonly confusion: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly escalations: { readonly before: number; readonly after: number; readonly delta: number };
  readonly before: ReplayCost;
  readonly after: ReplayCost;
}

/** Where a route's declared branches come from: the registered workflow, or only the kept names. */
export type BranchSource = (
  workflow: string | undefined,
  node: string,
) => readonly BranchText[] | undefined;

interface Answer {
  readonly branch: string;
  readonly confidence: number | null;
  readonly reason: string;
  readonly escalated: boolean;
  readonly cost: ReplayCost;
}

const ZERO: ReplayCost = { tokens: 0, latencyMs: 0, costUsd: 0 };
const add = (left: ReplayCost, right: ReplayCost): ReplayCost => ({
  tokens: left.tokens + right.tokens,
  latencyMs: left.latencyMs + right.latencyMs,
  costUsd: left.costUsd + right.costUsd,
});

function recordedCost(decision: DecisionRecord): ReplayCost {
  return {
    tokens: (decision.tokensIn ?? 0) + (decision.tokensOut ?? 0),
    latencyMs: decision.latencyMs ?? 0,
    costUsd: decision.costUsd ?? 0,
  };
}

/** The route's own escalation rule, applied to an answer. */
function escalate(
  seen: DecisionSeen,
  branch: string,
  confidence: number | null,
  minimum: number | null,
) {
  const low = minimum !== null && seen.escalationBranch !== null && (confidence ?? 1) < minimum;
  return low && seen.escalationBranch !== null && branch !== seen.escalationBranch
    ? { branch: seen.escalationBranch, escalated: true }
    : { branch, escalated: branch === seen.escalationBranch };
}

function byThreshold(
  decision: DecisionRecord,
  seen: DecisionSeen,
  threshold: number,
): Answer | string {
  if (decision.confidence === null) return "no confidence";
  const proposed = seen.proposed ?? decision.choice;
  const next = escalate(seen, proposed, decision.confidence, threshold);
  return {
    ...next,
    confidence: decision.confidence,
    reason: `recorded confidence ${decision.confidence.toFixed(2)} against the minimum ${threshold}`,
    cost: ZERO,
  };
}

async function byDecider(
  decider: Decider,
  seen: DecisionSeen,
  request: RouteRequest,
): Promise<Answer> {
  const outcome = await decideWithRepair(decider, request);
  if (!outcome.ok) {
    return {
      branch: seen.defaultBranch,
      confidence: null,
      reason: `no valid answer, so the declared default: ${outcome.problems.join(" | ")}`,
      escalated: seen.defaultBranch === seen.escalationBranch,
      cost: { ...ZERO, latencyMs: outcome.latencyMs },
    };
  }
  const { answer } = outcome;
  const confidence = answer.confidence ?? null;
  return {
    ...escalate(seen, answer.branch, confidence, seen.minConfidence),
    confidence,
    reason: answer.reason,
    cost: {
      tokens: (answer.tokensIn ?? 0) + (answer.tokensOut ?? 0),
      latencyMs: outcome.latencyMs,
      costUsd: answer.costUsd ?? 0,
    },
  };
}

/** Why a recorded decision is not asked again, or undefined when it is. */
function skipReason(decision: DecisionRecord): string | undefined {
  if (decision.decidedBy === "rule") return "rule";
  if (decision.decidedBy === "human") return "human";
  if (decision.seen === undefined) return "no kept inputs";
  // A rules-only route took its default: there is no decider to ask instead.
  if (decision.seen.decider.kind === "rules-only") return "rules only";
  return undefined;
}

/** Replays one decision; a string says why it was skipped. */
async function replayOne(
  decision: DecisionRecord,
  workflow: string | undefined,
  other: ReplayDecider,
  branchesOf: BranchSource,
): Promise<Answer | string> {
  const seen = decision.seen as DecisionSeen;
  if (other.kind === "threshold") return byThreshold(decision, seen, other.threshold);
  const known = branchesOf(workflow, decision.node);
  const branches =
    known ??
    seen.branches.map((name) => ({ name, description: name.replaceAll("_", " "), examples: [] }));
  const decider = other.deciderFor(decision.node, branches);
  if (decider === undefined) return "route not known";
  // Only the decider is asked: no state, no step, tool or effect (issue 17).
  return byDecider(decider, seen, {
    node: decision.node,
    text: seen.text,
    branches,
    state: undefined,
  });
}

/**
 * Asks recorded route decisions again with another decider and reports which
 * would flip, the old → new confusion, the change in escalations, and tokens
 * and latency before and after. Nothing of the workflow runs: only the decider
 * is asked, with the inputs kept in each record; the store is only read.
 */
export async function replayDecisions(options: {
  readonly store: RunStore;
  readonly filter: ReplayFilter;
  readonly decider: ReplayDecider;
  readonly branchesOf?: BranchSource;
}): Promise<ReplayReport> {
  const { store, filter, decider } = options;
  const listed = await store.listDecisions({
    workflow: filter.workflow,
    node: filter.node,
    since: filter.since,
    limit: filter.limit,
  });
  const decisions = listed.filter(
    (decision) =>
      (decision.kind === "route" || decision.kind === "escalation") && !isCorrection(decision),
  );
  const workflows = new Map<string, string>();
  const skipped: Record<string, number> = {};
  const flips: ReplayFlip[] = [];
  const confusion: Record<string, Record<string, number>> = {};
  let [before, after, replayed, escalatedBefore, escalatedAfter] = [ZERO, ZERO, 0, 0, 0];
  for (const decision of decisions) {
    const skip = skipReason(decision);
    const workflow = filter.workflow ?? (await workflowOf(store, workflows, decision.runId));
    const answer =
      skip ??
      (await replayOne(decision, workflow, decider, options.branchesOf ?? (() => undefined)));
    if (typeof answer === "string") {
      skipped[answer] = (skipped[answer] ?? 0) + 1;
      continue;
    }
    replayed += 1;
    before = add(before, recordedCost(decision));
    after = add(after, answer.cost);
    if (decision.kind === "escalation" || decision.choice === decision.seen?.escalationBranch)
      escalatedBefore += 1;
    if (answer.escalated) escalatedAfter += 1;
    const row = confusion[decision.choice] ?? {};
    row[answer.branch] = (row[answer.branch] ?? 0) + 1;
    confusion[decision.choice] = row;
    if (answer.branch !== decision.choice)
      flips.push({
        runId: decision.runId,
        node: decision.node,
        key: decision.key,
        from: decision.choice,
        to: answer.branch,
        confidenceBefore: decision.confidence,
        confidenceAfter: answer.confidence,
        reason: answer.reason,
      });
  }
  return {
    decider: decider.kind === "threshold" ? `threshold ${decider.threshold}` : decider.name,
    considered: decisions.length,
    replayed,
    skipped,
    flips,
    confusion,
    escalations: {
      before: escalatedBefore,
      after: escalatedAfter,
      delta: escalatedAfter - escalatedBefore,
    },
    before: rounded(before),
    after: rounded(after),
  };
}

const rounded = (cost: ReplayCost): ReplayCost => ({
  tokens: cost.tokens,
  latencyMs: Math.round(cost.latencyMs * 1000) / 1000,
  costUsd: Math.round(cost.costUsd * 1e6) / 1e6,
});

async function workflowOf(
  store: RunStore,
  cache: Map<string, string>,
  runId: string,
): Promise<string | undefined> {
  const known = cache.get(runId);
  if (known !== undefined) return known;
  const run = await store.getRun(runId);
  if (run !== undefined) cache.set(runId, run.workflow);
  return run?.workflow;
}
