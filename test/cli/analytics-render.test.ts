import { describe, expect, it } from "vitest";
import type { AlignedDecision, DiffSide, RunDiff } from "../../src/analytics/diff-runs.ts";
import { renderDiff } from "../../src/cli/analytics-render.ts";

function side(branch: string): DiffSide {
  return {
    key: `key-${branch}`,
    branch,
    kind: "route",
    decidedBy: "classifier",
    confidence: 0.9,
    reason: `closest to ${branch}`,
    scores: [],
    seen: null,
    correctedTo: null,
  };
}

function pair(node: string, a: string | null, b: string | null): AlignedDecision {
  return { node, a: a === null ? null : side(a), b: b === null ? null : side(b), same: a === b };
}

function diffOf(aligned: readonly AlignedDecision[]): RunDiff {
  const run = (id: string) => ({
    id,
    workflow: "support_triage",
    version: "3",
    status: "succeeded",
    input: null,
  });
  const firstDivergence = aligned.findIndex((entry) => !entry.same);
  return {
    a: run("run-a"),
    b: run("run-b"),
    sameVersion: true,
    aligned,
    firstDivergence: firstDivergence === -1 ? null : firstDivergence,
  };
}

describe("renderDiff", () => {
  it("sizes the node and branch columns to their longest entry, so long subworkflow nodes stay aligned", () => {
    const text = renderDiff(
      diffOf([
        pair("classify_intent", "refund", "refund"),
        pair("draft_reply/review_draft", "needs_changes_by_a_human", "approved"),
        pair("check", "ok", null),
      ]),
      false,
    );
    const rows = text.split("\n").slice(3, 6);
    expect(rows.map((row) => row.slice(0, 1))).toEqual(["=", "≠", "≠"]);
    // Every row starts its node, A and B columns at the same offsets, one space apart at least.
    const starts = (row: string, a: string, b: string) => [row.indexOf(a, 2), row.lastIndexOf(b)];
    const columns = [
      starts(rows[0] ?? "", "refund", "refund"),
      starts(rows[1] ?? "", "needs_changes_by_a_human", "approved"),
      starts(rows[2] ?? "", "ok", "-"),
    ];
    expect(new Set(columns.map(([a]) => a)).size).toBe(1);
    expect(new Set(columns.map(([, b]) => b)).size).toBe(1);
    expect(rows[1]).toBe("≠ draft_reply/review_draft needs_changes_by_a_human approved");
  });
});
