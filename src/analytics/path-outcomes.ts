import type { DecisionRecord } from "../contracts/decision.ts";
import type { RunRecord, RunStore } from "../store/types.ts";
import { decisionPath, isCorrection, pathSignature } from "./decision-path.ts";

/** Which runs to group (all optional). */
export interface PathFilter {
  readonly workflow?: string;
  /** ISO time: only runs created at or after it. */
  readonly since?: string;
  /** Most runs read; default 10000. */
  readonly limit?: number;
}

/** How the runs that went one way ended (issue 17: "which routes end badly?"). */
export interface PathOutcome {
  readonly signature: string;
  readonly steps: readonly { readonly node: string; readonly branch: string }[];
  readonly count: number;
  readonly succeeded: number;
  /** failed, compensated or cancelled. */
  readonly failed: number;
  /** Still queued, running or waiting. */
  readonly open: number;
  /** Runs with an escalation decision on the path. */
  readonly escalated: number;
  /** Runs in which a reviewer corrected a decision. */
  readonly corrected: number;
  /** Median and mean wall time of finished runs, ms; null when none finished. */
  readonly medianMs: number | null;
  readonly meanMs: number | null;
  readonly tokens: number;
  readonly costUsd: number;
}

const FAILED = new Set(["failed", "compensated", "cancelled"]);

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  const value =
    sorted.length % 2 === 1
      ? sorted[middle]
      : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
  return value ?? null;
}

interface Group {
  steps: { node: string; branch: string }[];
  runs: RunRecord[];
  escalated: number;
  corrected: number;
  tokens: number;
  costUsd: number;
}

/** Groups runs by path signature, most frequent first, from already-read runs and decisions. */
export function groupPaths(
  runs: readonly RunRecord[],
  decisions: readonly DecisionRecord[],
): PathOutcome[] {
  const byRun = new Map<string, DecisionRecord[]>();
  for (const decision of decisions)
    byRun.set(decision.runId, [...(byRun.get(decision.runId) ?? []), decision]);
  const groups = new Map<string, Group>();
  for (const run of runs) {
    const own = byRun.get(run.id) ?? [];
    const path = decisionPath(own);
    const signature = pathSignature(path);
    const group = groups.get(signature) ?? {
      steps: path.map((step) => ({ node: step.node, branch: step.branch })),
      runs: [],
      escalated: 0,
      corrected: 0,
      tokens: 0,
      costUsd: 0,
    };
    group.runs.push(run);
    if (path.some((step) => step.decision.kind === "escalation")) group.escalated += 1;
    if (own.some(isCorrection)) group.corrected += 1;
    for (const decision of own) {
      group.tokens += (decision.tokensIn ?? 0) + (decision.tokensOut ?? 0);
      group.costUsd += decision.costUsd ?? 0;
    }
    groups.set(signature, group);
  }
  return [...groups]
    .map(([signature, group]) => outcome(signature, group))
    .sort(
      (left, right) => right.count - left.count || left.signature.localeCompare(right.signature),
    );
}

function outcome(signature: string, group: Group): PathOutcome {
  const durations = group.runs.flatMap((run) =>
    run.finishedAt === null ? [] : [Date.parse(run.finishedAt) - Date.parse(run.createdAt)],
  );
  const count = (test: (run: RunRecord) => boolean) => group.runs.filter(test).length;
  return {
    signature,
    steps: group.steps,
    count: group.runs.length,
    succeeded: count((run) => run.status === "succeeded"),
    failed: count((run) => FAILED.has(run.status)),
    open: count(
      (run) => run.finishedAt === null && !FAILED.has(run.status) && run.status !== "succeeded",
    ),
    escalated: group.escalated,
    corrected: group.corrected,
    medianMs: median(durations),
    meanMs:
      durations.length === 0
        ? null
        : durations.reduce((sum, value) => sum + value, 0) / durations.length,
    tokens: group.tokens,
    costUsd: Math.round(group.costUsd * 1e6) / 1e6,
  };
}

/** Reads runs and their decisions from the store and groups them by path (`signalbox paths`). */
export async function pathOutcomes(
  store: RunStore,
  filter: PathFilter = {},
): Promise<PathOutcome[]> {
  const limit = filter.limit ?? 10_000;
  const runs = await store.listRuns({
    workflow: filter.workflow,
    createdAfter: filter.since,
    limit,
  });
  // One query per workflow; a run's decisions (and later corrections) are never older than
  // the run, so `since` bounds them too, and the oldest decisions do not crowd out the newest.
  const decisions = await store.listDecisions({
    workflow: filter.workflow,
    since: filter.since,
    limit: limit * 20,
  });
  const ids = new Set(runs.map((run) => run.id));
  return groupPaths(
    runs,
    decisions.filter((decision) => ids.has(decision.runId)),
  );
}
