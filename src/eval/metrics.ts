import { countBy, percentile, ratio } from "./statistics.ts";
import { coverageSweep, outOfScopeCurve, type SweepRow } from "./threshold-sweep.ts";
import type {
  BranchMetrics,
  CaseResult,
  ConfigSummary,
  NodeMetrics,
  OutOfScopeMetrics,
  RouteOutcome,
  TierCounts,
} from "./types.ts";

/** Cases with this tag belong to no branch: the route must escalate them. */
export const OUT_OF_SCOPE_TAG = "out-of-scope";

const NOT_REACHED = "(not reached)";
const TOP_CONFUSIONS = 15;

interface LabelledRow {
  readonly allowed: readonly string[];
  readonly expected: string;
  readonly route: RouteOutcome | undefined;
  readonly correct: boolean;
  readonly outOfScope: boolean;
}

function labelledRows(node: string, cases: readonly CaseResult[]): LabelledRow[] {
  return cases.flatMap((result) => {
    const wanted = result.expect.routes?.[node];
    if (wanted === undefined) return [];
    const allowed = Array.isArray(wanted) ? wanted : [wanted];
    const route = result.outcome.routes[node];
    const correct = route !== undefined && allowed.includes(route.choice);
    const outOfScope = result.tags.includes(OUT_OF_SCOPE_TAG);
    return [{ allowed, expected: allowed[0] ?? "", route, correct, outOfScope }];
  });
}

function tierCounts(routes: readonly RouteOutcome[]): TierCounts {
  const tiers = { rule: 0, classifier: 0, llm: 0, default: 0, lowConfidence: 0 };
  for (const route of routes) {
    if (route.decidedBy === "rule") tiers.rule += 1;
    else if (route.decidedBy === "default") tiers.default += 1;
    else if (route.kind === "escalation") tiers.lowConfidence += 1;
    else if (route.decidedBy === "llm") tiers.llm += 1;
    else tiers.classifier += 1;
  }
  return tiers;
}

function branchMetrics(rows: readonly LabelledRow[]): BranchMetrics[] {
  const got = (row: LabelledRow) =>
    row.correct ? row.expected : (row.route?.choice ?? NOT_REACHED);
  const names = new Set(rows.flatMap((row) => [row.expected, got(row)]));
  names.delete(NOT_REACHED);
  return [...names].sort().map((branch) => {
    const support = rows.filter((row) => row.expected === branch).length;
    const predicted = rows.filter((row) => got(row) === branch).length;
    const hits = rows.filter((row) => row.expected === branch && got(row) === branch).length;
    return {
      branch,
      support,
      predicted,
      precision: predicted === 0 ? null : hits / predicted,
      recall: support === 0 ? null : hits / support,
    };
  });
}

/** The decider's pick and its confidence per reached case (before a low-confidence escalation). */
function picks(rows: readonly LabelledRow[]) {
  return rows.flatMap(({ route, allowed }) => {
    if (route === undefined) return [];
    const pick = route.kind === "escalation" ? (route.top ?? route.choice) : route.choice;
    return [{ confidence: route.confidence ?? 0, correct: allowed.includes(pick) }];
  });
}

/**
 * Each labelled case as the threshold sweep sees it. A rule's or the default's
 * decision does not depend on the threshold; a pick of the escalation branch
 * escalates at any threshold; a case that never reached the node is never decided.
 */
function sweepRows(rows: readonly LabelledRow[]): SweepRow[] {
  return rows.map(({ route, allowed, outOfScope }) => {
    if (route === undefined) return { score: 0, outOfScope, correct: false, escalatedAnyway: true };
    const fixed = route.decidedBy === "rule" || route.decidedBy === "default";
    const pick = route.kind === "escalation" && !fixed ? (route.top ?? route.choice) : route.choice;
    return {
      score: fixed ? Number.POSITIVE_INFINITY : (route.confidence ?? 0),
      outOfScope,
      correct: allowed.includes(pick),
      escalatedAnyway: pick === route.escalationBranch,
    };
  });
}

function outOfScopeMetrics(rows: readonly LabelledRow[]): OutOfScopeMetrics | null {
  const outside = rows.filter((row) => row.outOfScope);
  if (outside.length === 0) return null;
  const inside = rows.filter((row) => !row.outOfScope);
  const escalated = (row: LabelledRow) =>
    row.route !== undefined && row.route.choice === row.route.escalationBranch;
  const allEscalated = rows.filter(escalated);
  return {
    inScopeCases: inside.length,
    outOfScopeCases: outside.length,
    inScopeAccuracy:
      inside.length === 0
        ? null
        : inside.filter((row) => row.correct && !escalated(row)).length / inside.length,
    recall: outside.filter(escalated).length / outside.length,
    precision:
      allEscalated.length === 0
        ? null
        : allEscalated.filter((row) => row.outOfScope).length / allEscalated.length,
    curve: outOfScopeCurve(sweepRows(rows)),
  };
}

/** Scores one route node over the cases that name its expected branch. */
export function nodeMetrics(node: string, cases: readonly CaseResult[]): NodeMetrics {
  const rows = labelledRows(node, cases);
  const routes = rows.flatMap((row) => (row.route === undefined ? [] : [row.route]));
  const decided = rows.filter(
    (row) => row.route !== undefined && row.route.choice !== row.route.escalationBranch,
  );
  const scored = picks(rows);
  const latencies = routes.flatMap((route) => (route.latencyMs === null ? [] : [route.latencyMs]));
  // Low-confidence escalations are abstentions, counted by coverage: confusions are wrong picks.
  const mistakes = rows.filter(
    (row) => !row.correct && !(row.route?.kind === "escalation" && row.route.decidedBy !== "rule"),
  );
  return {
    node,
    labelled: rows.length,
    reached: routes.length,
    accuracy: ratio(rows.filter((row) => row.correct).length, rows.length),
    topAccuracy: ratio(scored.filter((pick) => pick.correct).length, rows.length),
    coverage: ratio(decided.length, rows.length),
    selectiveAccuracy:
      decided.length === 0 ? null : decided.filter((row) => row.correct).length / decided.length,
    tiers: tierCounts(routes),
    branches: branchMetrics(rows),
    confusions: countBy(
      mistakes,
      (row) => `${row.expected}\u0000${row.route?.choice ?? NOT_REACHED}`,
    )
      .slice(0, TOP_CONFUSIONS)
      .map(([key, count]) => {
        const [expected = "", got = ""] = key.split("\u0000");
        return { expected, got, count };
      }),
    latencyP50Ms: percentile(latencies, 0.5),
    latencyP95Ms: percentile(latencies, 0.95),
    curve: coverageSweep(sweepRows(rows)),
    outOfScope: outOfScopeMetrics(rows),
  };
}

/** The route nodes the cases name expected branches for, in first-mention order. */
export function labelledNodes(cases: readonly CaseResult[]): string[] {
  return [...new Set(cases.flatMap((result) => Object.keys(result.expect.routes ?? {})))];
}

function completed(result: CaseResult): boolean {
  const { status } = result.outcome;
  if (status === "succeeded" || status === "waiting") return true;
  const expected = result.expect.status;
  return (
    status === "rejected" &&
    (expected === "rejected" || (Array.isArray(expected) && expected.includes("rejected")))
  );
}

/** The figures of one configuration over its cases; `elapsedMs` is the wall time of the whole run. */
export function summarize(cases: readonly CaseResult[], elapsedMs: number): ConfigSummary {
  const sum = (pick: (result: CaseResult) => number) =>
    cases.reduce((total, result) => total + pick(result), 0);
  const passed = cases.filter((result) => result.passed).length;
  const latencies = cases.map((result) => result.outcome.latencyMs);
  return {
    cases: cases.length,
    passed,
    passRate: ratio(passed, cases.length),
    completionRate: ratio(cases.filter(completed).length, cases.length),
    escalationRate: ratio(cases.filter((result) => result.outcome.escalated).length, cases.length),
    latencyP50Ms: percentile(latencies, 0.5) ?? 0,
    latencyP95Ms: percentile(latencies, 0.95) ?? 0,
    tokensIn: sum((result) => result.outcome.tokensIn),
    tokensOut: sum((result) => result.outcome.tokensOut),
    costUsd: sum((result) => result.outcome.costUsd),
    llmDecisions: sum((result) => result.outcome.llmDecisions),
    llmAvoided: sum((result) => result.outcome.llmAvoided),
    casesPerSecond: ratio(cases.length, elapsedMs / 1000),
    nodes: labelledNodes(cases).map((node) => nodeMetrics(node, cases)),
  };
}
