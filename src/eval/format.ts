import type { ConfigSummary, NodeMetrics } from "./types.ts";

/** `0.8234` → `82.3%`; `—` for null. */
export function percent(value: number | null, digits = 1): string {
  return value === null ? "—" : `${(value * 100).toFixed(digits)}%`;
}

/** A number with thousands separators and at most `digits` decimals; `—` for null. */
export function number(value: number | null, digits = 0): string {
  if (value === null) return "—";
  return value.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** Text cut to `max` characters, on one line. */
export function clip(text: string, max: number): string {
  const line = text.replaceAll(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** The F1 score of a branch (0 when undefined). */
export function f1(precision: number | null, recall: number | null): number {
  if (precision === null || recall === null || precision + recall === 0) return 0;
  return (2 * precision * recall) / (precision + recall);
}

/** The headline figures of a configuration as label/value pairs (shared by the text and HTML reports). */
export function summaryRows(summary: ConfigSummary, concurrency: number): [string, string][] {
  return [
    [
      "cases meeting every expectation (an escalation fails one)",
      `${summary.passed}/${summary.cases} (${percent(summary.passRate)})`,
    ],
    ["completed", percent(summary.completionRate)],
    ["escalated", percent(summary.escalationRate)],
    [
      `case latency p50 / p95 (ms, ${concurrency} in flight)`,
      `${number(summary.latencyP50Ms)} / ${number(summary.latencyP95Ms)}`,
    ],
    ["tokens in / out", `${number(summary.tokensIn)} / ${number(summary.tokensOut)}`],
    ["cost (USD)", summary.costUsd.toFixed(4)],
    ["LLM decisions / avoided", `${number(summary.llmDecisions)} / ${number(summary.llmAvoided)}`],
    ["throughput (cases/s)", number(summary.casesPerSecond, 1)],
  ];
}

/**
 * One sentence per route node naming each figure it gives: top-1 accuracy, then
 * coverage and selective accuracy at the route's threshold, then (with
 * out-of-scope cases) in-scope accuracy and out-of-scope recall and precision.
 */
export function headline(node: NodeMetrics): string {
  const parts = [
    `route ${node.node}: top-1 accuracy ${percent(node.topAccuracy)} (best pick, never escalating)`,
    `at its threshold it decides ${percent(node.coverage)} of ${node.labelled} cases and is right on ${percent(node.selectiveAccuracy)} of those`,
  ];
  const outside = node.outOfScope;
  if (outside !== null)
    parts.push(
      `in-scope accuracy ${percent(outside.inScopeAccuracy)} (right branch, not escalated), out-of-scope recall ${percent(outside.recall)}, precision ${percent(outside.precision)}`,
    );
  return parts.join(" · ");
}

/** The out-of-scope figures of a route node as label/value pairs (none without out-of-scope cases). */
function outOfScopeRows(node: NodeMetrics): [string, string][] {
  const outside = node.outOfScope;
  if (outside === null) return [];
  return [
    [
      "in-scope accuracy (right branch, not escalated)",
      `${percent(outside.inScopeAccuracy)} of ${outside.inScopeCases}`,
    ],
    ["out-of-scope recall (escalated)", `${percent(outside.recall)} of ${outside.outOfScopeCases}`],
    ["out-of-scope precision (escalations that were out of scope)", percent(outside.precision)],
  ];
}

/** Thresholds shown in the terminal's out-of-scope curve (the HTML report shows every point). */
const SHORT_CURVE = new Set([0.3, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]);

/** Rows of the out-of-scope curve: threshold, in-scope accuracy, recall, precision. */
export function outOfScopeCurveRows(node: NodeMetrics, short = false): string[][] {
  const curve = node.outOfScope?.curve ?? [];
  return curve
    .filter((point) => !short || SHORT_CURVE.has(point.threshold))
    .map((point) => [
      point.threshold.toFixed(2),
      percent(point.inScopeAccuracy),
      percent(point.recall),
      percent(point.precision),
    ]);
}

/** Column names of {@link outOfScopeCurveRows}. */
export const OUT_OF_SCOPE_CURVE_HEADER = [
  "threshold",
  "in-scope accuracy",
  "out-of-scope recall",
  "out-of-scope precision",
];

/** The figures of one route node as label/value pairs. */
export function nodeRows(node: NodeMetrics): [string, string][] {
  const { tiers } = node;
  return [
    ["top-1 accuracy (best pick, never escalating)", percent(node.topAccuracy)],
    [
      "accuracy at the threshold (escalating is wrong unless expected)",
      `${percent(node.accuracy)} of ${node.labelled}`,
    ],
    ["coverage (decided, not escalated)", percent(node.coverage)],
    ["selective accuracy (right, of those decided)", percent(node.selectiveAccuracy)],
    ...outOfScopeRows(node),
    [
      "rule / classifier / LLM / default / low-confidence",
      `${tiers.rule} / ${tiers.classifier} / ${tiers.llm} / ${tiers.default} / ${tiers.lowConfidence}`,
    ],
    [
      "decision p50 / p95 (ms)",
      `${number(node.latencyP50Ms, 2)} / ${number(node.latencyP95Ms, 2)}`,
    ],
  ];
}
