import { summarize } from "../../src/eval/metrics.ts";
import type { CaseResult, ConfigResult, RouteOutcome } from "../../src/eval/types.ts";

/** A case result at the route node `classify`, expecting `expected`. */
export function caseResult(
  id: string,
  expected: string,
  route: Partial<RouteOutcome> & { choice: string },
): CaseResult {
  const outcome: RouteOutcome = {
    kind: "route",
    decidedBy: "classifier",
    confidence: 0.9,
    top: route.choice,
    escalationBranch: "escalate",
    latencyMs: 2,
    ...route,
  };
  const passed = outcome.choice === expected;
  return {
    id,
    tags: [],
    input: { text: id },
    expect: { routes: { classify: expected } },
    passed,
    failures: passed ? [] : ["wrong"],
    outcome: {
      runId: id,
      status: "succeeded",
      error: null,
      output: null,
      routes: { classify: outcome },
      effects: [],
      escalated: outcome.choice === "escalate",
      latencyMs: 10,
      tokensIn: outcome.decidedBy === "llm" ? 100 : 0,
      tokensOut: 0,
      costUsd: 0,
      llmDecisions: outcome.decidedBy === "llm" ? 1 : 0,
      llmAvoided: outcome.decidedBy === "llm" ? 0 : 1,
    },
  };
}

/** A configuration result over the given cases. */
export function configResult(name: string, cases: readonly CaseResult[]): ConfigResult {
  return {
    name,
    model: "offline",
    replyMode: "offline",
    fixture: null,
    replayMisses: 0,
    summary: summarize(cases, 1000),
    cases,
  };
}
