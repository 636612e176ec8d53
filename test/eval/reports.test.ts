import { describe, expect, it } from "vitest";
import { compareWithBaseline, updateBaseline } from "../../src/eval/baseline.ts";
import { OUT_OF_SCOPE_TAG } from "../../src/eval/metrics.ts";
import { formatProgress } from "../../src/eval/progress.ts";
import { renderEvalHtml } from "../../src/eval/report-html.ts";
import { escapeXml, renderJunit } from "../../src/eval/report-junit.ts";
import { renderEvalText } from "../../src/eval/report-text.ts";
import type { CaseResult, EvalResult } from "../../src/eval/types.ts";
import { caseResult, configResult } from "./case-results.ts";

const offline = configResult("offline", [
  caseResult("a", "refund", { choice: "refund" }),
  caseResult('b<&">', "refund", { choice: "technical", confidence: 0.4 }),
  caseResult("c", "technical", {
    choice: "escalate",
    kind: "escalation",
    confidence: 0.2,
    top: "technical",
  }),
]);
const llm = configResult("gpt", [
  caseResult("a", "refund", { choice: "refund", decidedBy: "llm" }),
  caseResult('b<&">', "refund", { choice: "refund", decidedBy: "llm" }),
  caseResult("c", "technical", { choice: "technical" }),
]);
const result: EvalResult = {
  format: "signalbox-eval-result/1",
  id: "demo-1",
  suite: "demo",
  suiteFile: "/demo.json",
  workflow: "demo_flow",
  startedAt: "2026-01-01T00:00:00.000Z",
  finishedAt: "2026-01-01T00:00:01.000Z",
  totalCases: 3,
  limit: null,
  concurrency: 4,
  configs: [offline, llm],
};

describe("eval reports", () => {
  it("puts two configurations side by side in the terminal report", () => {
    const text = renderEvalText(result);
    expect(text).toMatch(
      /^ {2}cases meeting every expectation \(an escalation fails one\) +1\/3 \(33\.3%\) +3\/3 \(100\.0%\)$/m,
    );
    expect(text).toMatch(/route classify +offline +gpt/);
    expect(text).toMatch(/selective accuracy \(right, of those decided\) +50\.0% +100\.0%/);
    expect(text).toMatch(/top-1 accuracy \(best pick, never escalating\) +66\.7% +100\.0%/);
    expect(text).toContain("top confusions (offline, classify): refund → technical 1");
    expect(text).toContain("failed cases (offline): 2 of 3");
  });

  it("reports the baseline verdict", () => {
    const baseline = updateBaseline(undefined, { ...result, configs: [llm] });
    const comparisons = [compareWithBaseline(baseline, llm, { cases: 0, metrics: 0 })];
    const text = renderEvalText(
      { ...result, configs: [llm] },
      { comparisons, baselinePath: "b.json" },
    );
    expect(text).toContain("baseline b.json");
    expect(text).toContain("gpt: ok · 0 new failures");
  });

  it("writes JUnit XML with escaped names and one suite per configuration", () => {
    const xml = renderJunit(result);
    expect(xml).toContain('<testsuite name="demo[offline]" tests="3" failures="2"');
    expect(xml).toContain('<testsuite name="demo[gpt]" tests="3" failures="0"');
    expect(xml).toContain('name="b&lt;&amp;&quot;&gt;"');
    expect(escapeXml("a\u0000b\u001fc")).toBe("abc");
  });

  it("writes a self-contained HTML report with a chart and a confusion matrix", () => {
    const html = renderEvalHtml(result);
    expect(html).not.toMatch(/<script|<link|src="http/);
    expect(html.match(/<polyline/g)).toHaveLength(2);
    expect(html).toContain("confusion matrix: offline");
    expect(html).toContain("b&lt;&amp;&quot;&gt;");
  });

  it("opens with a headline that names each figure, before the pass count", () => {
    const lines = renderEvalText(result).split("\n");
    expect(lines[1]).toBe(
      "offline: route classify: top-1 accuracy 66.7% (best pick, never escalating) · at its threshold it decides 66.7% of 3 cases and is right on 50.0% of those",
    );
    expect(lines[2]).toMatch(/^gpt: route classify: top-1 accuracy 100\.0%/);
    expect(lines.findIndex((line) => line.includes("cases meeting every expectation"))).toBe(4);
  });

  it("places the chart's legend below the plot and starts failed cases collapsed", () => {
    const html = renderEvalHtml(result);
    const height = Number(/viewBox="0 0 \d+ (\d+)"/.exec(html)?.[1]);
    const legendY = [...html.matchAll(/<rect x="\d+" y="([\d.]+)" width="10"/g)].map((match) =>
      Number(match[1]),
    );
    expect(legendY).toHaveLength(2);
    // The plot ends at 340 - 44 (axis labels below it); the legend starts under the axis title.
    for (const y of legendY) expect(y).toBeGreaterThan(340 - 9);
    expect(Math.max(...legendY)).toBeLessThan(height);
    expect(html).toMatch(/<details><summary>show<\/summary>/);
    expect(html).not.toContain("<details open>");
    expect(html).toContain('<p class="headline"><strong>offline: route classify: top-1 accuracy');
  });

  it("adds in-scope accuracy, out-of-scope recall and precision, and their curve, for out-of-scope cases", () => {
    const outside = (id: string, choice: string): CaseResult => ({
      ...caseResult(id, "escalate", {
        choice,
        ...(choice === "escalate" ? { kind: "escalation", confidence: 0.3, top: "refund" } : {}),
      }),
      tags: [OUT_OF_SCOPE_TAG],
    });
    const config = configResult("offline", [
      caseResult("in", "refund", { choice: "refund" }),
      outside("out-1", "escalate"),
      outside("out-2", "refund"),
    ]);
    const withOutside = { ...result, configs: [config] };
    const text = renderEvalText(withOutside);
    expect(text.split("\n")[1]).toContain(
      "in-scope accuracy 100.0% (right branch, not escalated), out-of-scope recall 50.0%, precision 100.0%",
    );
    expect(text).toMatch(/out-of-scope recall \(escalated\) +50\.0% of 2/);
    expect(text).toMatch(
      /threshold +in-scope accuracy +out-of-scope recall +out-of-scope precision/,
    );
    expect(text).toMatch(/^ {4}0\.80 +100\.0% +50\.0% +100\.0%$/m);
    expect(text).toMatch(/^ {4}0\.95 +0\.0% +100\.0% +66\.7%$/m);
    const html = renderEvalHtml(withOutside);
    expect(html).toContain("<h3>out-of-scope trade-off: offline</h3>");
    expect(html.match(/<tr><td>0\.\d\d<\/td>/g)).toHaveLength(21);
  });

  it("draws a progress line with rate and time left", () => {
    const line = formatProgress(
      { config: "offline", configIndex: 0, configCount: 2, done: 50, total: 100, failed: 3 },
      5000,
    );
    expect(line).toBe(
      "offline 1/2 [████████████░░░░░░░░░░░░] 50/100 · 3 not as expected · 10/s · eta 5s",
    );
  });
});
