import type { BaselineComparison } from "./baseline.ts";
import { percent } from "./format.ts";
import type { CaseResult, ConfigResult, EvalResult } from "./types.ts";

function isXmlCharacter(code: number): boolean {
  if (code === 0x9 || code === 0xa || code === 0xd) return true;
  return (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || code >= 0x10000;
}

/** Escapes text for XML attributes and content, dropping characters XML 1.0 cannot hold. */
export function escapeXml(text: string): string {
  return Array.from(text)
    .filter((character) => isXmlCharacter(character.codePointAt(0) ?? 0))
    .join("")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&apos;");
}

type Verdict =
  | { kind: "pass" }
  | { kind: "failure"; message: string; body: string }
  | { kind: "skipped"; message: string };

function verdict(item: CaseResult, comparison: BaselineComparison | undefined): Verdict {
  const run =
    item.outcome.runId === null
      ? ""
      : `\nrun: ${item.outcome.runId} (signalbox show ${item.outcome.runId})`;
  const body = `${item.failures.join("\n")}${run}`;
  if (comparison?.found) {
    if (comparison.fixed.some((fixed) => fixed.id === item.id))
      return {
        kind: "failure",
        message: "expected failure now passes: update the baseline",
        body: `was: ${comparison.fixed.find((fixed) => fixed.id === item.id)?.reason ?? ""}`,
      };
    if (!item.passed && !comparison.newFailures.some((failure) => failure.id === item.id))
      return { kind: "skipped", message: `expected failure (baseline): ${item.failures[0] ?? ""}` };
  }
  if (item.passed) return { kind: "pass" };
  return { kind: "failure", message: item.failures[0] ?? "failed", body };
}

function testcase(
  suite: string,
  config: ConfigResult,
  item: CaseResult,
  comparison: BaselineComparison | undefined,
): string {
  const open = `    <testcase classname="${escapeXml(`${suite}.${config.name}`)}" name="${escapeXml(item.id)}" time="${(item.outcome.latencyMs / 1000).toFixed(3)}"`;
  const result = verdict(item, comparison);
  if (result.kind === "pass") return `${open}/>`;
  if (result.kind === "skipped")
    return `${open}>\n      <skipped message="${escapeXml(result.message)}"/>\n    </testcase>`;
  return `${open}>\n      <failure message="${escapeXml(result.message)}" type="expectation">${escapeXml(result.body)}</failure>\n    </testcase>`;
}

function metricsCase(
  suite: string,
  config: ConfigResult,
  comparison: BaselineComparison | undefined,
): string[] {
  if (!comparison?.found || !comparison.metricsCompared) return [];
  const open = `    <testcase classname="${escapeXml(`${suite}.${config.name}`)}" name="metrics within tolerance of the baseline" time="0"`;
  if (comparison.metricDrops.length === 0) return [`${open}/>`];
  const drops = comparison.metricDrops
    .map((drop) => `${drop.metric}: ${percent(drop.baseline, 2)} → ${percent(drop.current, 2)}`)
    .join("\n");
  return [
    `${open}>\n      <failure message="metrics fell below the baseline" type="regression">${escapeXml(drops)}</failure>\n    </testcase>`,
  ];
}

function testsuite(
  result: EvalResult,
  config: ConfigResult,
  comparison: BaselineComparison | undefined,
): { xml: string; tests: number; failures: number; skipped: number } {
  const cases = config.cases.map((item) => testcase(result.suite, config, item, comparison));
  const extra = metricsCase(result.suite, config, comparison);
  const all = [...cases, ...extra];
  const failures = all.filter((xml) => xml.includes("<failure")).length;
  const skipped = all.filter((xml) => xml.includes("<skipped")).length;
  const { summary } = config;
  const properties = [
    ["model", config.model],
    ["replies", config.replyMode],
    ["passRate", summary.passRate.toFixed(4)],
    ...summary.nodes.flatMap((node) => [
      [`${node.node}.accuracy`, node.accuracy.toFixed(4)],
      [`${node.node}.coverage`, node.coverage.toFixed(4)],
      [`${node.node}.selectiveAccuracy`, node.selectiveAccuracy?.toFixed(4) ?? ""],
    ]),
  ].map(
    ([name, value]) =>
      `      <property name="${escapeXml(name ?? "")}" value="${escapeXml(value ?? "")}"/>`,
  );
  const time =
    summary.casesPerSecond > 0 ? (summary.cases / summary.casesPerSecond).toFixed(3) : "0";
  const xml = [
    `  <testsuite name="${escapeXml(`${result.suite}[${config.name}]`)}" tests="${all.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${time}" timestamp="${result.startedAt}">`,
    "    <properties>",
    ...properties,
    "    </properties>",
    ...all,
    "  </testsuite>",
  ].join("\n");
  return { xml, tests: all.length, failures, skipped };
}

/**
 * JUnit XML for CI systems: one test suite per configuration, one test case per
 * eval case. With a baseline, expected failures are skipped and an expected
 * failure that now passes fails, as does a metric that fell below tolerance.
 */
export function renderJunit(
  result: EvalResult,
  comparisons: readonly BaselineComparison[] = [],
): string {
  const suites = result.configs.map((config) =>
    testsuite(
      result,
      config,
      comparisons.find((entry) => entry.config === config.name),
    ),
  );
  const total = (pick: (suite: (typeof suites)[number]) => number) =>
    suites.reduce((sum, suite) => sum + pick(suite), 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${escapeXml(`signalbox eval ${result.suite}`)}" tests="${total((suite) => suite.tests)}" failures="${total((suite) => suite.failures)}" errors="0" skipped="${total((suite) => suite.skipped)}">`,
    ...suites.map((suite) => suite.xml),
    "</testsuites>",
    "",
  ].join("\n");
}
