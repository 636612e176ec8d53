import type { Logger } from "pino";
import type { DecisionRecord } from "../contracts/decision.ts";
import type { RunStore } from "../store/types.ts";
import { isCorrection } from "./decision-path.ts";

/** A branch mix: the share of decisions per branch, the count and the mean confidence. */
export interface BranchMix {
  readonly count: number;
  readonly shares: Readonly<Record<string, number>>;
  readonly meanConfidence: number | null;
}

/** One time bucket of one route. */
export interface MixBucket extends BranchMix {
  readonly node: string;
  /** ISO start of the bucket. */
  readonly from: string;
}

/** A change of decider, threshold or workflow version, and how the mix moved across it. */
export interface DriftChange {
  readonly node: string;
  /** What decided before and after: `decider version · min confidence · threshold · workflow version`. */
  readonly before: string;
  readonly after: string;
  /** Time of the first decision under the new setting. */
  readonly at: string;
  /** Total variation distance between the two mixes, in [0, 1]. */
  readonly distance: number;
  readonly mixBefore: BranchMix;
  readonly mixAfter: BranchMix;
  /** Distance above the threshold, with both sides holding at least `minSamples` decisions. */
  readonly alert: boolean;
}

/** Settings of {@link detectDrift}. */
export interface DriftOptions {
  /** Distance from which a change alerts; default 0.2 (a fifth of the decisions moved). */
  readonly threshold?: number;
  /** Fewest decisions each side needs before an alert; default 20. */
  readonly minSamples?: number;
  /** The workflow version of a run, when known (a version change is a change too). */
  readonly versionOf?: (runId: string) => string | undefined;
}

const routeDecisions = (decisions: readonly DecisionRecord[]) =>
  decisions
    .filter(
      (decision) =>
        (decision.kind === "route" || decision.kind === "escalation") && !isCorrection(decision),
    )
    .sort((left, right) => left.at.localeCompare(right.at));

/** The mix of a set of decisions. */
export function branchMix(decisions: readonly DecisionRecord[]): BranchMix {
  const counts: Record<string, number> = {};
  let confidence = 0;
  let confident = 0;
  for (const decision of decisions) {
    counts[decision.choice] = (counts[decision.choice] ?? 0) + 1;
    if (decision.confidence !== null) {
      confidence += decision.confidence;
      confident += 1;
    }
  }
  const shares = Object.fromEntries(
    Object.entries(counts).map(([branch, count]) => [branch, count / decisions.length]),
  );
  return {
    count: decisions.length,
    shares,
    meanConfidence: confident === 0 ? null : confidence / confident,
  };
}

/** Per route, the branch mix and mean confidence in buckets of `bucketMs` (default a day). */
export function mixOverTime(
  decisions: readonly DecisionRecord[],
  bucketMs = 86_400_000,
): MixBucket[] {
  const buckets = new Map<string, DecisionRecord[]>();
  for (const decision of routeDecisions(decisions)) {
    const start = new Date(Math.floor(Date.parse(decision.at) / bucketMs) * bucketMs).toISOString();
    const key = `${decision.node}\u0000${start}`;
    buckets.set(key, [...(buckets.get(key) ?? []), decision]);
  }
  return [...buckets].map(([key, group]) => {
    const [node = "", from = ""] = key.split("\u0000");
    return { node, from, ...branchMix(group) };
  });
}

/** Total variation distance: half the sum of the share differences. */
export function mixDistance(left: BranchMix, right: BranchMix): number {
  const branches = new Set([...Object.keys(left.shares), ...Object.keys(right.shares)]);
  let total = 0;
  for (const branch of branches)
    total += Math.abs((left.shares[branch] ?? 0) - (right.shares[branch] ?? 0));
  return total / 2;
}

function setting(decision: DecisionRecord, versionOf: DriftOptions["versionOf"]): string {
  const seen = decision.seen;
  const decider = seen?.decider.version ?? decision.modelId ?? decision.decidedBy;
  return [
    decider,
    `min ${seen?.minConfidence ?? "-"}`,
    `threshold ${seen?.threshold ?? "-"}`,
    `v${versionOf?.(decision.runId) ?? "?"}`,
  ].join(" · ");
}

/** Splits one route's decisions into runs of equal setting (decider, thresholds, workflow version). */
function regimes(decisions: readonly DecisionRecord[], options: DriftOptions) {
  const result: { setting: string; decisions: DecisionRecord[] }[] = [];
  for (const decision of decisions) {
    // Rule decisions follow the rules, not the decider: they do not mark a change.
    const current = result.at(-1);
    const own =
      decision.decidedBy === "rule" && current !== undefined
        ? current.setting
        : setting(decision, options.versionOf);
    if (current !== undefined && current.setting === own) current.decisions.push(decision);
    else result.push({ setting: own, decisions: [decision] });
  }
  return result;
}

/**
 * Finds, per route, each change of model, threshold or workflow version and
 * compares the branch mix before and after it (issue 17). A change alerts when
 * the mix moved more than `threshold` with enough decisions on both sides.
 */
export function detectDrift(
  decisions: readonly DecisionRecord[],
  options: DriftOptions = {},
): DriftChange[] {
  const threshold = options.threshold ?? 0.2;
  const minSamples = options.minSamples ?? 20;
  const byNode = new Map<string, DecisionRecord[]>();
  for (const decision of routeDecisions(decisions))
    byNode.set(decision.node, [...(byNode.get(decision.node) ?? []), decision]);
  const changes: DriftChange[] = [];
  for (const [node, own] of byNode) {
    const parts = regimes(own, options);
    for (let index = 1; index < parts.length; index += 1) {
      const previous = parts[index - 1];
      const next = parts[index];
      if (previous === undefined || next === undefined) continue;
      const mixBefore = branchMix(previous.decisions);
      const mixAfter = branchMix(next.decisions);
      const distance = mixDistance(mixBefore, mixAfter);
      changes.push({
        node,
        before: previous.setting,
        after: next.setting,
        at: next.decisions[0]?.at ?? "",
        distance: Math.round(distance * 1e4) / 1e4,
        mixBefore,
        mixAfter,
        alert:
          distance > threshold && mixBefore.count >= minSamples && mixAfter.count >= minSamples,
      });
    }
  }
  return changes;
}

/** A gauge value per route: the distance across its latest change (0 without one). */
export interface DriftGaugeValue {
  readonly node: string;
  readonly value: number;
  readonly alert: boolean;
}

/**
 * For a metrics endpoint: reads a workflow's recent route decisions, returns one
 * gauge value per route, and logs a warning for each change that alerts.
 */
export async function driftGauge(options: {
  readonly store: RunStore;
  readonly workflow?: string;
  readonly since?: string;
  readonly logger?: Logger;
  readonly drift?: DriftOptions;
}): Promise<DriftGaugeValue[]> {
  const decisions = await options.store.listDecisions({
    workflow: options.workflow,
    since: options.since,
  });
  const changes = detectDrift(decisions, options.drift);
  const latest = new Map<string, DriftChange>();
  for (const change of changes) {
    latest.set(change.node, change);
    if (change.alert)
      options.logger?.warn(
        {
          node: change.node,
          before: change.before,
          after: change.after,
          at: change.at,
          distance: change.distance,
        },
        "route branch mix drifted after a change",
      );
  }
  const nodes = new Set(routeDecisions(decisions).map((decision) => decision.node));
  return [...nodes].map((node) => ({
    node,
    value: latest.get(node)?.distance ?? 0,
    alert: latest.get(node)?.alert ?? false,
  }));
}
