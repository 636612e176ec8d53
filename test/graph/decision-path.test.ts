import { describe, expect, it } from "vitest";
import { createDecisionRecord, type DecisionInput } from "../../src/contracts/decision.ts";
import { groupDecisionPath, stepOf } from "../../src/graph/decision-path.ts";
import { withToolCalls } from "../../src/graph/mermaid.ts";

function decision(node: string, kind: DecisionInput["kind"], choice: string) {
  return createDecisionRecord(
    {
      node,
      kind,
      choice,
      options: [],
      reason: `${node} chose ${choice}`,
      confidence: null,
      decidedBy: "rule",
    },
    { key: `${node}#${choice}`, runId: "run-1", step: 1 },
  );
}

describe("the decision path grouped by step (issue 16)", () => {
  it("names the top-level step of sub-workflow nodes and fan-out items", () => {
    expect(stepOf("draft_reply/review_draft")).toBe("draft_reply");
    expect(stepOf("gather_context[policy]")).toBe("gather_context");
    expect(stepOf("classify_intent")).toBe("classify_intent");
  });

  it("nests an agent's tool calls, numbered, and a sub-workflow's decisions under their step, in order", () => {
    const grouped = groupDecisionPath([
      decision("classify_intent", "route", "technical"),
      decision("solve_technical", "tool", "search_help_center"),
      decision("solve_technical", "tool", "refused"),
      decision("solve_technical", "tool", "open_ticket"),
      decision("draft_reply/review_draft", "route", "reply"),
      decision("dispatch_reply", "route", "reply"),
    ]);
    expect(
      grouped.map(({ step, entries }) => [
        step,
        entries.map((entry) => `${entry.label}:${entry.decision.choice}`),
      ]),
    ).toEqual([
      ["classify_intent", [":technical"]],
      [
        "solve_technical",
        ["tool call 1:search_help_center", "tool call 2:refused", "tool call 3:open_ticket"],
      ],
      ["draft_reply", ["review_draft:reply"]],
      ["dispatch_reply", [":reply"]],
    ]);
  });

  it("adds an agent's tool calls to the Mermaid chart, numbered and chained under the step", () => {
    const chart = withToolCalls("flowchart TD", [
      decision("classify_intent", "route", "technical"),
      decision("solve_technical", "tool", "refused"),
      decision("solve_technical", "tool", "search_help_center"),
    ]);
    expect(chart.split("\n")).toEqual([
      "flowchart TD",
      '  solve_technical__call1[/"1. refused"/]',
      "  solve_technical -.-> solve_technical__call1",
      '  solve_technical__call2[/"2. search_help_center"/]',
      "  solve_technical__call1 -.-> solve_technical__call2",
      "  class solve_technical__call1,solve_technical__call2 toolcall",
      "  classDef toolcall fill:#eef3ff,stroke:#5470c6",
    ]);
    expect(withToolCalls("flowchart TD", [decision("a", "route", "b")])).toBe("flowchart TD");
  });
});
