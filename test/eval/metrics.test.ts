import { describe, expect, it } from "vitest";
import { spreadSample } from "../../src/eval/dataset.ts";
import { nodeMetrics, OUT_OF_SCOPE_TAG, summarize } from "../../src/eval/metrics.ts";
import { coverageCurve, percentile } from "../../src/eval/statistics.ts";
import type { CaseResult } from "../../src/eval/types.ts";
import { caseResult as result } from "./case-results.ts";

const cases: CaseResult[] = [
  result("a", "refund", { choice: "refund", confidence: 0.95 }),
  result("b", "refund", { choice: "refund", decidedBy: "rule", confidence: 1 }),
  result("c", "refund", { choice: "technical", confidence: 0.85 }),
  result("d", "technical", { choice: "technical", decidedBy: "llm", confidence: 0.7 }),
  result("e", "technical", {
    choice: "escalate",
    kind: "escalation",
    confidence: 0.4,
    top: "technical",
  }),
  result("f", "billing", {
    choice: "escalate",
    kind: "escalation",
    confidence: 0.3,
    top: "refund",
  }),
];

describe("nodeMetrics", () => {
  const metrics = nodeMetrics("classify", cases);

  it("scores accuracy, coverage and selective accuracy", () => {
    expect(metrics.labelled).toBe(6);
    expect(metrics.accuracy).toBeCloseTo(3 / 6);
    expect(metrics.coverage).toBeCloseTo(4 / 6);
    expect(metrics.selectiveAccuracy).toBeCloseTo(3 / 4);
    expect(metrics.topAccuracy).toBeCloseTo(4 / 6);
  });

  it("counts who decided, with low-confidence escalations apart", () => {
    expect(metrics.tiers).toEqual({ rule: 1, classifier: 2, llm: 1, default: 0, lowConfidence: 2 });
  });

  it("gives per-branch precision and recall, and wrong picks as confusions", () => {
    const refund = metrics.branches.find((branch) => branch.branch === "refund");
    expect(refund).toMatchObject({ support: 3, predicted: 2, precision: 1, recall: 2 / 3 });
    const technical = metrics.branches.find((branch) => branch.branch === "technical");
    expect(technical).toMatchObject({ support: 2, predicted: 2, precision: 0.5, recall: 0.5 });
    expect(metrics.confusions).toEqual([{ expected: "refund", got: "technical", count: 1 }]);
  });

  it("draws accuracy against coverage from the confidences (the model's pick before escalating)", () => {
    expect(metrics.curve.at(0)).toMatchObject({ threshold: 1, coverage: 1 / 6, accuracy: 1 });
    expect(metrics.curve.at(-1)).toMatchObject({ coverage: 1, accuracy: 4 / 6 });
  });

  it("puts the route's own operating point on its curve (issue 15: the chart disagreed)", () => {
    // Escalations at 0.4 and 0.3: at any threshold in (0.4, 0.7] the route decides what it decided.
    const point = metrics.curve.find((entry) => entry.threshold <= 0.7 && entry.threshold > 0.4);
    expect(point).toEqual({
      threshold: 0.7,
      coverage: metrics.coverage,
      accuracy: metrics.selectiveAccuracy,
    });
  });

  it("reports no out-of-scope figures when no case is tagged out-of-scope", () => {
    expect(metrics.outOfScope).toBeNull();
  });
});

describe("nodeMetrics with out-of-scope cases", () => {
  const outside = (id: string, route: Parameters<typeof result>[2]): CaseResult => ({
    ...result(id, "escalate", route),
    tags: ["held_out", OUT_OF_SCOPE_TAG],
  });
  const metrics = nodeMetrics("classify", [
    result("in-right", "refund", { choice: "refund", confidence: 0.9 }),
    result("in-wrong", "refund", { choice: "technical", confidence: 0.85 }),
    result("in-escalated", "technical", {
      choice: "escalate",
      kind: "escalation",
      confidence: 0.6,
      top: "technical",
    }),
    outside("out-caught", {
      choice: "escalate",
      kind: "escalation",
      confidence: 0.5,
      top: "refund",
    }),
    outside("out-missed", { choice: "refund", confidence: 0.95 }),
    outside("out-rule", {
      choice: "escalate",
      kind: "escalation",
      decidedBy: "rule",
      confidence: 1,
    }),
  ]);

  it("gives in-scope accuracy and out-of-scope recall and precision at the operating point", () => {
    expect(metrics.outOfScope).toMatchObject({
      inScopeCases: 3,
      outOfScopeCases: 3,
      inScopeAccuracy: 1 / 3,
      recall: 2 / 3,
      precision: 2 / 3,
    });
  });

  it("gives the same figures against the threshold, rules' escalations at every threshold", () => {
    const at = (threshold: number) =>
      metrics.outOfScope?.curve.find((point) => point.threshold === threshold);
    expect(at(0)).toEqual({ threshold: 0, inScopeAccuracy: 2 / 3, recall: 1 / 3, precision: 1 });
    expect(at(0.7)).toEqual({
      threshold: 0.7,
      ...{ inScopeAccuracy: 1 / 3, recall: 2 / 3 },
      precision: 2 / 3,
    });
    expect(at(0.99)).toEqual({ threshold: 0.99, inScopeAccuracy: 0, recall: 1, precision: 0.5 });
  });
});

describe("summarize", () => {
  it("sums costs and LLM calls avoided, and rates per case", () => {
    const summary = summarize(cases, 2000);
    expect(summary).toMatchObject({
      cases: 6,
      passed: 3,
      passRate: 0.5,
      completionRate: 1,
      escalationRate: 2 / 6,
      tokensIn: 100,
      llmDecisions: 1,
      llmAvoided: 5,
      casesPerSecond: 3,
    });
    expect(summary.nodes.map((node) => node.node)).toEqual(["classify"]);
  });
});

describe("statistics", () => {
  it("takes nearest-rank percentiles", () => {
    expect(percentile([5, 1, 4, 2, 3], 0.5)).toBe(3);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95)).toBe(10);
    expect(percentile([], 0.5)).toBeNull();
  });

  it("keeps one curve point per distinct confidence", () => {
    const curve = coverageCurve([
      { confidence: 0.9, correct: true },
      { confidence: 0.9, correct: false },
      { confidence: 0.5, correct: true },
    ]);
    expect(curve).toEqual([
      { threshold: 0.9, coverage: 2 / 3, accuracy: 0.5 },
      { threshold: 0.5, coverage: 1, accuracy: 2 / 3 },
    ]);
  });

  it("samples evenly and deterministically", () => {
    const items = Array.from({ length: 10 }, (_, index) => index);
    expect(spreadSample(items, 4)).toEqual([0, 2, 5, 7]);
    expect(spreadSample(items, 20)).toEqual(items);
    expect(spreadSample(items, undefined)).toEqual(items);
  });
});
