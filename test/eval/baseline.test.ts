import { describe, expect, it } from "vitest";
import { compareWithBaseline, updateBaseline } from "../../src/eval/baseline.ts";
import type { EvalResult } from "../../src/eval/types.ts";
import { caseResult, configResult } from "./case-results.ts";

const tolerance = { cases: 0, metrics: 0.01 };

function evalResult(...configs: ReturnType<typeof configResult>[]): EvalResult {
  return {
    format: "signalbox-eval-result/1",
    id: "x",
    suite: "demo",
    suiteFile: "/demo.json",
    workflow: "demo",
    startedAt: "2026-01-01T00:00:00.000Z",
    finishedAt: "2026-01-01T00:00:01.000Z",
    totalCases: 3,
    limit: null,
    concurrency: 1,
    configs,
  };
}

const today = configResult("offline", [
  caseResult("a", "refund", { choice: "refund" }),
  caseResult("b", "refund", { choice: "technical" }),
  caseResult("c", "technical", { choice: "technical" }),
]);
const baseline = updateBaseline(undefined, evalResult(today));

describe("baselines", () => {
  it("records figures and today's failures as expected failures", () => {
    expect(baseline.configs.offline).toMatchObject({
      cases: 3,
      passRate: 0.6667,
      expectedFailures: { b: "wrong" },
    });
  });

  it("passes the same results", () => {
    const comparison = compareWithBaseline(baseline, today, tolerance);
    expect(comparison).toMatchObject({
      found: true,
      newFailures: [],
      fixed: [],
      regression: false,
    });
  });

  it("fails on a new failure, and says which", () => {
    const worse = configResult("offline", [
      caseResult("a", "refund", { choice: "billing" }),
      caseResult("b", "refund", { choice: "technical" }),
      caseResult("c", "technical", { choice: "technical" }),
    ]);
    const comparison = compareWithBaseline(baseline, worse, tolerance);
    expect(comparison.newFailures).toEqual([{ id: "a", reason: "wrong" }]);
    expect(comparison.metricDrops.map((drop) => drop.metric)).toContain("pass rate");
    expect(comparison.regression).toBe(true);
  });

  it("fails when an expected failure now passes, so the baseline stays honest", () => {
    const better = configResult("offline", [
      caseResult("a", "refund", { choice: "refund" }),
      caseResult("b", "refund", { choice: "refund" }),
      caseResult("c", "technical", { choice: "technical" }),
    ]);
    const comparison = compareWithBaseline(baseline, better, tolerance);
    expect(comparison.fixed).toEqual([{ id: "b", reason: "wrong" }]);
    expect(comparison.metricDrops).toEqual([]);
    expect(comparison.regression).toBe(true);
    expect(compareWithBaseline(baseline, better, { cases: 1, metrics: 0.01 }).regression).toBe(
      false,
    );
  });

  it("compares only cases and pass rate on a different case set", () => {
    const subset = configResult("offline", [caseResult("b", "refund", { choice: "technical" })]);
    const comparison = compareWithBaseline(baseline, subset, tolerance);
    expect(comparison).toMatchObject({
      metricsCompared: false,
      metricDrops: [],
      regression: false,
    });
    expect(comparison.passRate).toEqual({ current: 0, baseline: 0 });
  });

  it("keeps the entries of configurations a run did not include", () => {
    const other = configResult("gpt", [caseResult("a", "refund", { choice: "refund" })]);
    const merged = updateBaseline(baseline, evalResult(other));
    expect(Object.keys(merged.configs)).toEqual(["gpt", "offline"]);
    expect(compareWithBaseline(merged, configResult("new", []), tolerance).found).toBe(false);
  });
});
