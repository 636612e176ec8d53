import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { z } from "zod";
import { ErrorCode } from "../errors.ts";
import { parseWith } from "../validation.ts";
import type { Tolerance } from "./suite.ts";
import type { ConfigResult, EvalResult } from "./types.ts";

const FORMAT = "signalbox-eval-baseline/1";

const NodeFigures = z.object({
  accuracy: z.number(),
  coverage: z.number(),
  selectiveAccuracy: z.number().nullable(),
});

const BaselineEntry = z.object({
  model: z.string(),
  /** How many cases the baseline run had: metrics are compared only on the same set. */
  cases: z.number().int(),
  passRate: z.number(),
  completionRate: z.number(),
  nodes: z.record(z.string(), NodeFigures),
  /** Cases that fail today, by id, with the first reason: they must keep failing until the baseline is updated. */
  expectedFailures: z.record(z.string(), z.string()),
});
type BaselineEntry = z.infer<typeof BaselineEntry>;

/** A stored result to compare runs with: figures and expected failures per configuration. */
export const BaselineFile = z.object({
  format: z.literal(FORMAT),
  suite: z.string(),
  configs: z.record(z.string(), BaselineEntry),
});
export type BaselineFile = z.infer<typeof BaselineFile>;

/** How a configuration's run compares with its baseline. */
export interface BaselineComparison {
  readonly config: string;
  /** False when the baseline has no entry for this configuration. */
  readonly found: boolean;
  /** Cases that pass in the baseline and fail now. */
  readonly newFailures: readonly { id: string; reason: string }[];
  /** Expected failures that pass now: the baseline is stale. */
  readonly fixed: readonly { id: string; reason: string }[];
  /** Pass rate now and in the baseline, over the cases run now. */
  readonly passRate: { readonly current: number; readonly baseline: number };
  /** False when the case sets differ (e.g. --limit): only cases and pass rate are compared. */
  readonly metricsCompared: boolean;
  readonly metricDrops: readonly { metric: string; baseline: number; current: number }[];
  readonly regression: boolean;
}

const round = (value: number) => Math.round(value * 10_000) / 10_000;

function entryOf(result: ConfigResult): BaselineEntry {
  const failures = result.cases
    .filter((item) => !item.passed)
    .map((item) => [item.id, item.failures[0] ?? "failed"] as const)
    .sort(([left], [right]) => left.localeCompare(right));
  const nodes = result.summary.nodes.map((node) => [
    node.node,
    {
      accuracy: round(node.accuracy),
      coverage: round(node.coverage),
      selectiveAccuracy: node.selectiveAccuracy === null ? null : round(node.selectiveAccuracy),
    },
  ]);
  return {
    model: result.model,
    cases: result.summary.cases,
    passRate: round(result.summary.passRate),
    completionRate: round(result.summary.completionRate),
    nodes: Object.fromEntries(nodes),
    expectedFailures: Object.fromEntries(failures),
  };
}

/** The baseline for a result, keeping the entries of configurations it did not run. */
export function updateBaseline(
  existing: BaselineFile | undefined,
  result: EvalResult,
): BaselineFile {
  const configs: Record<string, BaselineEntry> = { ...existing?.configs };
  for (const config of result.configs) configs[config.name] = entryOf(config);
  const sorted = Object.fromEntries(
    Object.entries(configs).sort(([left], [right]) => left.localeCompare(right)),
  );
  return { format: FORMAT, suite: result.suite, configs: sorted };
}

function metricPairs(entry: BaselineEntry, result: ConfigResult): [string, number, number][] {
  const { summary } = result;
  const pairs: [string, number, number][] = [
    ["pass rate", entry.passRate, summary.passRate],
    ["completion rate", entry.completionRate, summary.completionRate],
  ];
  for (const node of summary.nodes) {
    const before = entry.nodes[node.node];
    if (before === undefined) continue;
    pairs.push([`${node.node} accuracy`, before.accuracy, node.accuracy]);
    pairs.push([`${node.node} coverage`, before.coverage, node.coverage]);
    if (before.selectiveAccuracy !== null && node.selectiveAccuracy !== null)
      pairs.push([
        `${node.node} selective accuracy`,
        before.selectiveAccuracy,
        node.selectiveAccuracy,
      ]);
  }
  return pairs;
}

/**
 * Compares a configuration's run with the baseline in both directions: a case
 * that passed and now fails is a regression, and so is an expected failure that
 * now passes (update the baseline so it stays honest). Metrics are compared
 * when the case sets match.
 */
export function compareWithBaseline(
  baseline: BaselineFile,
  result: ConfigResult,
  tolerance: Tolerance,
): BaselineComparison {
  const entry = baseline.configs[result.name];
  const current = result.summary.passRate;
  if (entry === undefined)
    return {
      config: result.name,
      found: false,
      newFailures: [],
      fixed: [],
      passRate: { current, baseline: current },
      metricsCompared: false,
      metricDrops: [],
      regression: false,
    };
  const { newFailures, fixed, baselinePassRate } = compareCases(entry, result);
  const metricsCompared = entry.cases === result.summary.cases;
  const metricDrops = (metricsCompared ? metricPairs(entry, result) : [])
    .filter(([, before, now]) => before - round(now) > tolerance.metrics + 1e-9)
    .map(([metric, before, now]) => ({ metric, baseline: before, current: now }));
  const outOfTolerance = newFailures.length > tolerance.cases || fixed.length > tolerance.cases;
  return {
    config: result.name,
    found: true,
    newFailures,
    fixed,
    passRate: { current, baseline: baselinePassRate },
    metricsCompared,
    metricDrops,
    regression: outOfTolerance || metricDrops.length > 0,
  };
}

function compareCases(entry: BaselineEntry, result: ConfigResult) {
  const expected = entry.expectedFailures;
  const newFailures = result.cases
    .filter((item) => !item.passed && !(item.id in expected))
    .map((item) => ({ id: item.id, reason: item.failures[0] ?? "failed" }));
  const fixed = result.cases
    .filter((item) => item.passed && item.id in expected)
    .map((item) => ({ id: item.id, reason: expected[item.id] ?? "" }));
  const passedBefore = result.cases.filter((item) => !(item.id in expected)).length;
  const baselinePassRate = result.cases.length === 0 ? 0 : passedBefore / result.cases.length;
  return { newFailures, fixed, baselinePassRate };
}

/** Reads a baseline file; undefined when there is none. @throws SignalboxError CONFIG_INVALID when malformed */
export async function readBaseline(path: string): Promise<BaselineFile | undefined> {
  if (!existsSync(path)) return undefined;
  const raw = JSON.parse(await readFile(path, "utf8")) as unknown;
  return parseWith(BaselineFile, raw, ErrorCode.ConfigInvalid, `baseline ${path}`);
}

/** Writes a baseline file (stable key order, so updates give small diffs). */
export async function writeBaseline(path: string, baseline: BaselineFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(baseline, null, 2)}\n`);
}
