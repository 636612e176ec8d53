import type { DecisionRecord } from "../contracts/decision.ts";

/** One decision placed under its step, with a short label for where it sits inside it. */
export interface DecisionPathEntry {
  /** Empty for a step's own decision; `review_draft` inside a sub-workflow; `tool call 2` in an agent. */
  readonly label: string;
  readonly decision: DecisionRecord;
}

/** The decisions one top-level step made, in order. */
export interface DecisionPathStep {
  readonly step: string;
  readonly entries: readonly DecisionPathEntry[];
}

/** The top-level step a logged node belongs to: `draft_reply/review_draft` → `draft_reply`, `gather_context[policy]` → `gather_context`. */
export function stepOf(node: string): string {
  return (node.split("/")[0] ?? node).replace(/\[.*\]$/, "");
}

/**
 * Groups a run's decision log by top-level step (consecutive decisions of one
 * step together), labelling what happened inside it: sub-workflow nodes by name,
 * an agent's tool calls numbered in order, fan-out items by branch (issue 16).
 */
export function groupDecisionPath(decisions: readonly DecisionRecord[]): DecisionPathStep[] {
  const steps: { step: string; entries: DecisionPathEntry[] }[] = [];
  for (const decision of decisions) {
    const step = stepOf(decision.node);
    let current = steps.at(-1);
    if (current?.step !== step) {
      current = { step, entries: [] };
      steps.push(current);
    }
    const inner = decision.node.slice(step.length).replace(/^\//, "");
    const calls = current.entries.filter((entry) => entry.decision.kind === "tool").length;
    const label =
      decision.kind === "tool" ? `${inner ? `${inner} ` : ""}tool call ${calls + 1}` : inner;
    current.entries.push({ label, decision });
  }
  return steps;
}
