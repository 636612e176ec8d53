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
    ["passed", `${summary.passed}/${summary.cases} (${percent(summary.passRate)})`],
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

/** The figures of one route node as label/value pairs. */
export function nodeRows(node: NodeMetrics): [string, string][] {
  const { tiers } = node;
  return [
    ["accuracy", `${percent(node.accuracy)} of ${node.labelled}`],
    ["top-1 accuracy (if it never escalated)", percent(node.topAccuracy)],
    ["coverage (decided, not escalated)", percent(node.coverage)],
    ["selective accuracy", percent(node.selectiveAccuracy)],
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
