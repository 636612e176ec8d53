import { describe, expect, it } from "vitest";
import { checkExpectation, checkPredicate, Expectation } from "../../src/eval/expectation.ts";
import type { CaseOutcome, RouteOutcome } from "../../src/eval/types.ts";

function route(choice: string, overrides: Partial<RouteOutcome> = {}): RouteOutcome {
  return {
    choice,
    kind: "route",
    decidedBy: "classifier",
    confidence: 0.9,
    top: choice,
    escalationBranch: "escalate_to_human",
    latencyMs: 1,
    ...overrides,
  };
}

function outcome(overrides: Partial<CaseOutcome> = {}): CaseOutcome {
  return {
    runId: "run-1",
    status: "succeeded",
    error: null,
    output: { action: "refunded", refund: { orderId: "5012", amount: 49 } },
    routes: { classify_intent: route("refund") },
    effects: [
      { name: "issue_refund", node: "issue_refund", status: "planned", args: {} },
      { name: "send_reply", node: "send_reply", status: "planned", args: {} },
    ],
    escalated: false,
    latencyMs: 3,
    tokensIn: 0,
    tokensOut: 0,
    costUsd: 0,
    llmDecisions: 0,
    llmAvoided: 0,
    ...overrides,
  };
}

describe("checkExpectation", () => {
  it("passes when every given expectation holds", () => {
    const expectation = Expectation.parse({
      routes: { classify_intent: ["refund", "escalate_to_human"] },
      status: "succeeded",
      escalated: false,
      effects: ["issue_refund"],
      noEffects: ["hand_off"],
      output: { action: "refunded", "refund.amount": 49 },
      predicates: [{ path: "effects", includes: "send_reply" }],
    });
    expect(checkExpectation(expectation, outcome(), {})).toEqual([]);
  });

  it("says what was expected and what happened, for each unmet expectation", () => {
    const expectation = Expectation.parse({
      routes: { classify_intent: "escalate_to_human", review_draft: "reply" },
      escalated: true,
      noEffects: ["issue_refund"],
      output: { action: "escalated" },
    });
    const problems = checkExpectation(expectation, outcome(), {});
    expect(problems).toEqual([
      "routes.classify_intent: expected escalate_to_human, got refund [classifier 0.90]",
      "routes.review_draft: expected reply, but the run never reached it",
      "escalated: expected an escalation, none happened",
      "effects: issue_refund must not happen, but it was planned",
      'output.action: expected "escalated", got "refunded"',
    ]);
  });

  it("names a low-confidence escalation and a rejected input", () => {
    const escalated = outcome({
      routes: {
        classify_intent: route("escalate_to_human", { kind: "escalation", confidence: 0.2 }),
      },
    });
    expect(
      checkExpectation(Expectation.parse({ routes: { classify_intent: "refund" } }), escalated, {}),
    ).toEqual([
      "routes.classify_intent: expected refund, got escalate_to_human (escalated, classifier) [classifier 0.20]",
    ]);
    const rejected = outcome({ status: "rejected", error: "message: the message is empty" });
    expect(checkExpectation(Expectation.parse({ status: "succeeded" }), rejected, {})).toEqual([
      "status: expected succeeded, got rejected (message: the message is empty)",
    ]);
  });

  it("rejects expectation fields it does not know", () => {
    expect(Expectation.safeParse({ route: { a: "b" } }).success).toBe(false);
  });
});

describe("tool expectations (issue 16)", () => {
  const agent = outcome({
    toolCalls: [
      { node: "solve_technical", tool: "issue_refund", outcome: "refused" },
      { node: "solve_technical", tool: "search_help_center", outcome: "ran" },
      { node: "solve_technical", tool: "open_ticket", outcome: "ran" },
    ],
  });

  it("passes when the required tools ran and the forbidden ones never did (a refused request is not a run)", () => {
    const expectation = Expectation.parse({
      tools: ["search_help_center", "open_ticket"],
      noTools: ["issue_refund", "get_order_status"],
      predicates: [{ path: "refusedTools", includes: "issue_refund" }],
    });
    expect(checkExpectation(expectation, agent, {})).toEqual([]);
  });

  it("names each tool that did not run or must not have, with the calls there were", () => {
    const expectation = Expectation.parse({
      tools: ["check_service_status"],
      noTools: ["open_ticket"],
    });
    expect(checkExpectation(expectation, agent, {})).toEqual([
      "tools: expected check_service_status to run, it did not (issue_refund (refused), search_help_center (ran), open_ticket (ran))",
      "tools: open_ticket must never run, but it did (issue_refund (refused), search_help_center (ran), open_ticket (ran))",
    ]);
    expect(checkExpectation(expectation, outcome(), {})[0]).toContain("(no tool calls)");
  });
});

describe("checkPredicate", () => {
  const root = {
    output: { reply: "Hello Ada, we refunded 49.00 EUR", amount: 49 },
    effects: ["send_reply"],
  };

  it("supports equals, matches, includes, notIncludes, exists and bounds", () => {
    expect(checkPredicate({ path: "output.amount", equals: 49 }, root)).toBeUndefined();
    expect(checkPredicate({ path: "output.reply", matches: "^hello ada" }, root)).toBeUndefined();
    expect(checkPredicate({ path: "output.reply", includes: "49.00" }, root)).toBeUndefined();
    expect(checkPredicate({ path: "effects", notIncludes: "hand_off" }, root)).toBeUndefined();
    expect(checkPredicate({ path: "output.missing", exists: false }, root)).toBeUndefined();
    expect(
      checkPredicate({ path: "output.amount", atLeast: 10, atMost: 100 }, root),
    ).toBeUndefined();
  });

  it("reports a failed check with the value found, or the given description", () => {
    expect(checkPredicate({ path: "output.amount", atMost: 20 }, root)).toBe(
      "output.amount: expected at most 20, got 49",
    );
    expect(
      checkPredicate(
        { path: "output.reply", notIncludes: "refunded", description: "no refund promised" },
        root,
      ),
    ).toBe('no refund promised (output.reply: got "Hello Ada, we refunded 49.00 EUR")');
  });
});
