import { styleText } from "node:util";
import type { BaselineComparison } from "./baseline.ts";
import {
  clip,
  f1,
  headline,
  nodeRows,
  number,
  OUT_OF_SCOPE_CURVE_HEADER,
  outOfScopeCurveRows,
  percent,
  summaryRows,
} from "./format.ts";
import type { ConfigResult, EvalResult, NodeMetrics } from "./types.ts";

type Paint = (color: Parameters<typeof styleText>[0], text: string) => string;

/** Options of {@link renderEvalText}. */
export interface TextReportOptions {
  /** Colours for a terminal. */
  readonly tty?: boolean;
  readonly comparisons?: readonly BaselineComparison[];
  readonly baselinePath?: string;
  /** Failed cases listed per configuration; default 20. */
  readonly maxFailures?: number;
  /** Branches listed per route node (weakest first); default 8. */
  readonly maxBranches?: number;
}

function table(rows: readonly (readonly string[])[], indent = "  "): string[] {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, [...cell].length);
    });
  return rows.map((row) =>
    `${indent}${row.map((cell, index) => (index === 0 ? cell.padEnd(widths[0] ?? 0) : cell.padStart(widths[index] ?? 0))).join("   ")}`.trimEnd(),
  );
}

function sideBySide(
  configs: readonly ConfigResult[],
  rowsOf: (config: ConfigResult) => [string, string][] | undefined,
  header: string,
): string[] {
  const columns = configs.map(rowsOf);
  const labels = columns.find((column) => column !== undefined)?.map(([label]) => label) ?? [];
  const rows = labels.map((label, index) => [
    label,
    ...columns.map((column) => column?.[index]?.[1] ?? "—"),
  ]);
  return table([[header, ...configs.map((config) => config.name)], ...rows]);
}

function branchLines(config: ConfigResult, node: NodeMetrics, limit: number): string[] {
  const weakest = [...node.branches]
    .filter((branch) => branch.support > 0)
    .sort((left, right) => f1(left.precision, left.recall) - f1(right.precision, right.recall))
    .slice(0, limit);
  const title = `  weakest branches (${config.name}, ${node.node}${node.branches.length > limit ? `, ${limit} of ${node.branches.length}` : ""})`;
  const rows = weakest.map((branch) => [
    branch.branch,
    percent(branch.precision),
    percent(branch.recall),
    String(branch.support),
  ]);
  return [title, ...table([["branch", "precision", "recall", "support"], ...rows], "    ")];
}

function confusionLine(config: ConfigResult, node: NodeMetrics): string[] {
  if (node.confusions.length === 0) return [];
  const top = node.confusions
    .slice(0, 6)
    .map((pair) => `${pair.expected} → ${pair.got} ${pair.count}`);
  return [`  top confusions (${config.name}, ${node.node}): ${top.join(" · ")}`];
}

function curveLines(config: ConfigResult, node: NodeMetrics): string[] {
  const rows = outOfScopeCurveRows(node, true);
  if (rows.length === 0) return [];
  return [
    `  out-of-scope trade-off (${config.name}, ${node.node}; every threshold in --html/--json)`,
    ...table([OUT_OF_SCOPE_CURVE_HEADER, ...rows], "    "),
  ];
}

function headlineLines(result: EvalResult, paint: Paint): string[] {
  return result.configs.flatMap((config) =>
    config.summary.nodes.map((node) =>
      paint("bold", `${result.configs.length > 1 ? `${config.name}: ` : ""}${headline(node)}`),
    ),
  );
}

function nodeSections(result: EvalResult, options: TextReportOptions): string[] {
  const names = [
    ...new Set(result.configs.flatMap((config) => config.summary.nodes.map((node) => node.node))),
  ];
  return names.flatMap((name) => {
    const find = (config: ConfigResult) => config.summary.nodes.find((node) => node.node === name);
    const details = result.configs.flatMap((config) => {
      const node = find(config);
      return node === undefined
        ? []
        : [
            ...confusionLine(config, node),
            ...curveLines(config, node),
            ...branchLines(config, node, options.maxBranches ?? 8),
          ];
    });
    const rows = sideBySide(
      result.configs,
      (config) => {
        const node = find(config);
        return node === undefined ? undefined : nodeRows(node);
      },
      `route ${name}`,
    );
    return ["", ...rows, ...details];
  });
}

function failureLines(config: ConfigResult, options: TextReportOptions, paint: Paint): string[] {
  const failed = config.cases.filter((item) => !item.passed);
  if (failed.length === 0) return [];
  const comparison = options.comparisons?.find((entry) => entry.config === config.name);
  const fresh = new Set(comparison?.newFailures.map((failure) => failure.id));
  const limit = options.maxFailures ?? 20;
  const lines = failed.slice(0, limit).map((item) => {
    const mark = comparison?.found && !fresh.has(item.id) ? paint("dim", " (expected)") : "";
    const run = item.outcome.runId === null ? "" : paint("dim", `  run ${item.outcome.runId}`);
    return `  ${paint("red", "✗")} ${item.id}${mark}  ${clip(item.failures[0] ?? "failed", 110)}${run}`;
  });
  if (failed.length > limit)
    lines.push(`  … and ${failed.length - limit} more (--json or --html for all)`);
  return [
    "",
    paint("bold", `failed cases (${config.name}): ${failed.length} of ${config.cases.length}`),
    ...lines,
  ];
}

function comparisonLines(options: TextReportOptions, paint: Paint): string[] {
  if (options.comparisons === undefined || options.comparisons.length === 0) return [];
  const lines = ["", paint("bold", `baseline ${options.baselinePath ?? ""}`.trimEnd())];
  for (const comparison of options.comparisons) {
    if (!comparison.found) {
      lines.push(`  ${comparison.config}: no baseline entry (write one with --update-baseline)`);
      continue;
    }
    const verdict = comparison.regression ? paint("red", "REGRESSION") : paint("green", "ok");
    const rate = `pass rate ${percent(comparison.passRate.current)} (baseline ${percent(comparison.passRate.baseline)})`;
    lines.push(
      `  ${comparison.config}: ${verdict} · ${comparison.newFailures.length} new failures · ${comparison.fixed.length} expected failures now pass · ${rate}${comparison.metricsCompared ? "" : " · other metrics not compared (different case set)"}`,
    );
    for (const failure of comparison.newFailures.slice(0, 20))
      lines.push(`    new failure ${failure.id}: ${clip(failure.reason, 110)}`);
    for (const fixed of comparison.fixed.slice(0, 20))
      lines.push(
        `    now passes ${fixed.id} (was: ${clip(fixed.reason, 90)}); update the baseline`,
      );
    for (const drop of comparison.metricDrops)
      lines.push(`    ${drop.metric}: ${percent(drop.baseline, 2)} → ${percent(drop.current, 2)}`);
  }
  return lines;
}

/** The terminal report: configurations side by side, route scores, failures, the baseline verdict. */
export function renderEvalText(result: EvalResult, options: TextReportOptions = {}): string {
  const paint: Paint = (color, text) => (options.tty ? styleText(color, text) : text);
  const limited =
    result.limit !== null && result.limit < result.totalCases
      ? ` (limit ${result.limit} of ${number(result.totalCases)}, spread evenly)`
      : "";
  const cases = result.configs[0]?.summary.cases ?? 0;
  const header = paint(
    "bold",
    `eval ${result.suite} · workflow ${result.workflow} · ${number(cases)} cases${limited}`,
  );
  const replay = result.configs
    .filter((config) => config.replyMode !== "offline")
    .map(
      (config) =>
        `  ${config.name}: ${config.replyMode}${config.fixture ? ` ${config.fixture}` : ""}${config.replayMisses > 0 ? paint("red", ` · ${config.replayMisses} replay misses: record again`) : ""}`,
    );
  return [
    header,
    ...headlineLines(result, paint),
    ...replay,
    ...sideBySide(result.configs, (config) => summaryRows(config.summary, result.concurrency), ""),
    ...nodeSections(result, options),
    ...result.configs.flatMap((config) => failureLines(config, options, paint)),
    ...comparisonLines(options, paint),
  ].join("\n");
}
