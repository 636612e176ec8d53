import { describe, expect, it } from "vitest";
import type { DecisionInput } from "../../src/contracts/decision.ts";
import { beginNodeCall } from "../../src/graph/node-call.ts";

const config = { configurable: { thread_id: "run-1" }, metadata: { langgraph_step: 5 } };

const retry: DecisionInput = {
  node: "",
  kind: "retry",
  options: [{ name: "retry" }, { name: "give_up" }],
  choice: "retry",
  reason: "rate_limit (429) on attempt 1 of 2",
  decidedBy: "rule",
  confidence: 1,
};
const route: DecisionInput = {
  node: "",
  kind: "route",
  options: [{ name: "refund" }, { name: "escalate_to_human" }],
  choice: "refund",
  reason: "the LLM decided",
  decidedBy: "llm",
  confidence: 0.9,
};

describe("decision keys", () => {
  it("give a replayed step's route decision the key it had, however many retries came before it", () => {
    // The first execution met a 429 before the LLM answered; it died before its checkpoint.
    const first = beginNodeCall(config, "classify_intent");
    first.decide(retry);
    const firstRoute = first.decide(route);
    // The replay after recovery got its answer at once.
    const replay = beginNodeCall(config, "classify_intent");
    const replayRoute = replay.decide(route);
    expect(replayRoute.key).toBe(firstRoute.key);
    expect(firstRoute.key).toBe("classify_intent@5.1#route0");
  });

  it("number decisions of one kind in order within a call", () => {
    const call = beginNodeCall(config, "classify_intent");
    const keys = [call.decide(retry), call.decide(retry), call.decide(route)].map((d) => d.key);
    expect(keys).toEqual([
      "classify_intent@5.1#retry0",
      "classify_intent@5.1#retry1",
      "classify_intent@5.1#route0",
    ]);
  });
});
