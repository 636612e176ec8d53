import type { BaselineComparison } from "./baseline.ts";
import {
  clip,
  headline,
  nodeRows,
  OUT_OF_SCOPE_CURVE_HEADER,
  outOfScopeCurveRows,
  percent,
  summaryRows,
} from "./format.ts";
import { coverageChart, escapeHtml } from "./report-chart.ts";
import type { ConfigResult, EvalResult, NodeMetrics } from "./types.ts";

const MATRIX_LIMIT = 12;

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#111}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:2rem}h3{font-size:1rem}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:right}
td:first-child,th:first-child{text-align:left}th{background:#f5f5f5}.muted{color:#666}
.fail{color:#b91c1c}.ok{color:#047857}.cell0{color:#bbb}.diag{background:#ecfdf5}.off{background:#fef2f2}
svg text{font:11px system-ui,sans-serif;fill:#333}svg .grid{stroke:#e5e5e5}
details{margin:.5rem 0}summary{cursor:pointer}code{font-size:12px}`;

function tableHtml(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const head = `<tr>${header.map((cell) => `<th>${cell}</th>`).join("")}</tr>`;
  const body = rows
    .map((row) => `<tr>${row.map((cell) => `<td>${cell}</td>`).join("")}</tr>`)
    .join("\n");
  return `<table>\n${head}\n${body}\n</table>`;
}

function sideBySide(
  configs: readonly ConfigResult[],
  rowsOf: (config: ConfigResult) => [string, string][] | undefined,
): string {
  const columns = configs.map(rowsOf);
  const labels = columns.find((column) => column !== undefined)?.map(([label]) => label) ?? [];
  const rows = labels.map((label, index) => [
    escapeHtml(label),
    ...columns.map((column) => escapeHtml(column?.[index]?.[1] ?? "—")),
  ]);
  return tableHtml(["", ...configs.map((config) => escapeHtml(config.name))], rows);
}

function confusionMatrix(config: ConfigResult, node: NodeMetrics): string {
  const pairs = config.cases.flatMap((item) => {
    const wanted = item.expect.routes?.[node.node];
    if (wanted === undefined) return [];
    const expected = (Array.isArray(wanted) ? wanted[0] : wanted) ?? "";
    const allowed = Array.isArray(wanted) ? wanted : [wanted];
    const choice = item.outcome.routes[node.node]?.choice ?? "(not reached)";
    return [{ expected, got: allowed.includes(choice) ? expected : choice }];
  });
  const labels = [...new Set(pairs.flatMap((pair) => [pair.expected, pair.got]))].sort();
  const rows = labels.map((expected) => [
    escapeHtml(expected),
    ...labels.map((got) => {
      const count = pairs.filter((pair) => pair.expected === expected && pair.got === got).length;
      const kind = count === 0 ? "cell0" : got === expected ? "diag" : "off";
      return `<span class="${kind}">${count}</span>`;
    }),
  ]);
  return `<h3>confusion matrix: ${escapeHtml(config.name)} (rows expected, columns chosen)</h3>\n${tableHtml(["expected \\ chosen", ...labels.map(escapeHtml)], rows)}`;
}

function confusionSection(config: ConfigResult, node: NodeMetrics): string {
  if (node.branches.length <= MATRIX_LIMIT) return confusionMatrix(config, node);
  const rows = node.confusions.map((pair) => [
    escapeHtml(pair.expected),
    escapeHtml(pair.got),
    String(pair.count),
  ]);
  return `<h3>top confusions: ${escapeHtml(config.name)}</h3>\n${rows.length === 0 ? "<p>none</p>" : tableHtml(["expected", "chosen", "cases"], rows)}`;
}

function branchTable(config: ConfigResult, node: NodeMetrics): string {
  const rows = node.branches.map((branch) => [
    escapeHtml(branch.branch),
    percent(branch.precision),
    percent(branch.recall),
    String(branch.support),
    String(branch.predicted),
  ]);
  return `<details><summary>per-branch precision and recall: ${escapeHtml(config.name)} (${node.branches.length} branches)</summary>\n${tableHtml(["branch", "precision", "recall", "support", "chosen"], rows)}</details>`;
}

function outOfScopeTable(config: ConfigResult, node: NodeMetrics): string {
  const rows = outOfScopeCurveRows(node);
  if (rows.length === 0) return "";
  return `<h3>out-of-scope trade-off: ${escapeHtml(config.name)}</h3>\n<p class="muted">Had the route escalated every case below the threshold: in-scope cases routed right and not escalated, out-of-scope cases escalated, and escalations that were out of scope.</p>\n${tableHtml(OUT_OF_SCOPE_CURVE_HEADER, rows)}`;
}

function nodeSection(result: EvalResult, name: string): string {
  const find = (config: ConfigResult) => config.summary.nodes.find((node) => node.node === name);
  const series = result.configs.flatMap((config) => {
    const node = find(config);
    if (node === undefined) return [];
    const point =
      node.selectiveAccuracy === null
        ? null
        : { coverage: node.coverage, accuracy: node.selectiveAccuracy };
    return [{ name: config.name, curve: node.curve, point }];
  });
  const details = result.configs.flatMap((config) => {
    const node = find(config);
    return node === undefined
      ? []
      : [outOfScopeTable(config, node), confusionSection(config, node), branchTable(config, node)];
  });
  return [
    `<h2>route <code>${escapeHtml(name)}</code></h2>`,
    sideBySide(result.configs, (config) => {
      const node = find(config);
      return node === undefined ? undefined : nodeRows(node);
    }),
    "<h3>accuracy vs coverage</h3>",
    '<p class="muted">Each line: accuracy on the cases decided if the route decided only at or above each confidence and escalated the rest (rules\' decisions unchanged). The dot: where the configuration runs, which lies on its line at its own threshold.</p>',
    coverageChart(series),
    ...details,
  ].join("\n");
}

function baselineSection(comparisons: readonly BaselineComparison[]): string {
  if (comparisons.length === 0) return "";
  const rows = comparisons.map((comparison) => [
    escapeHtml(comparison.config),
    !comparison.found
      ? "no entry"
      : comparison.regression
        ? '<span class="fail">regression</span>'
        : '<span class="ok">ok</span>',
    String(comparison.newFailures.length),
    String(comparison.fixed.length),
    `${percent(comparison.passRate.current)} (baseline ${percent(comparison.passRate.baseline)})`,
    escapeHtml(
      comparison.metricDrops
        .map((drop) => `${drop.metric} ${percent(drop.baseline, 2)} → ${percent(drop.current, 2)}`)
        .join("; ") || (comparison.metricsCompared ? "none" : "not compared (different case set)"),
    ),
  ]);
  return `<h2>baseline</h2>\n${tableHtml(["configuration", "verdict", "new failures", "expected failures now passing", "pass rate", "metric drops"], rows)}`;
}

function failureSection(config: ConfigResult): string {
  const failed = config.cases.filter((item) => !item.passed);
  if (failed.length === 0)
    return `<h2>failed cases: ${escapeHtml(config.name)}</h2>\n<p class="ok">none</p>`;
  const rows = failed.map((item) => [
    `<code>${escapeHtml(item.id)}</code>`,
    escapeHtml(item.tags.join(", ")),
    escapeHtml(clip(JSON.stringify(item.input) ?? "", 160)),
    item.failures.map((failure) => escapeHtml(failure)).join("<br>"),
    item.outcome.runId === null ? "—" : `<code>${escapeHtml(item.outcome.runId)}</code>`,
  ]);
  return `<h2>failed cases: ${escapeHtml(config.name)} (${failed.length} of ${config.cases.length})</h2>\n<details><summary>show</summary>\n${tableHtml(["case", "tags", "input", "what went wrong", "run (signalbox show)"], rows)}</details>`;
}

/**
 * A self-contained HTML report (no scripts, no external files): configurations
 * side by side, per route node an accuracy-vs-coverage chart (inline SVG) and
 * the confusion table, the baseline verdict, and every failed case.
 */
export function renderEvalHtml(
  result: EvalResult,
  comparisons: readonly BaselineComparison[] = [],
): string {
  const nodes = [
    ...new Set(result.configs.flatMap((config) => config.summary.nodes.map((node) => node.node))),
  ];
  const cases = result.configs[0]?.summary.cases ?? 0;
  const models = result.configs
    .map((config) => `${config.name} = ${config.model} (${config.replyMode})`)
    .join("; ");
  return [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>eval ${escapeHtml(result.suite)}</title>`,
    `<style>${STYLE}</style></head><body>`,
    `<h1>eval <code>${escapeHtml(result.suite)}</code></h1>`,
    `<p class="muted">workflow <code>${escapeHtml(result.workflow)}</code> · ${cases} of ${result.totalCases} cases · ${escapeHtml(models)} · ${escapeHtml(result.startedAt)} · id <code>${escapeHtml(result.id)}</code></p>`,
    ...result.configs.flatMap((config) =>
      config.summary.nodes.map(
        (node) =>
          `<p class="headline"><strong>${result.configs.length > 1 ? `${escapeHtml(config.name)}: ` : ""}${escapeHtml(headline(node))}</strong></p>`,
      ),
    ),
    sideBySide(result.configs, (config) => summaryRows(config.summary, result.concurrency)),
    ...nodes.map((name) => nodeSection(result, name)),
    baselineSection(comparisons),
    ...result.configs.map(failureSection),
    "</body></html>",
    "",
  ].join("\n");
}
