import type { DecisionRecord } from "../contracts/decision.ts";

/**
 * Decision kinds that move a run along its graph. An agent's `tool` decisions are
 * turns inside one step, not turns of the run: they stay out of paths, signatures,
 * diffs and replay (narratives tell them apart, issue 16).
 */
const PATH_KINDS = new Set(["route", "escalation", "approval"]);

/** One turn a run took: a node and the branch it went down, with the record behind it. */
export interface PathStep {
  readonly node: string;
  readonly branch: string;
  readonly decision: DecisionRecord;
  /** The reviewer's correction of this decision, when there is one (the latest). */
  readonly correction: DecisionRecord | null;
}

/** Whether a decision is a reviewer's correction of another (issue 17). */
export function isCorrection(decision: DecisionRecord): boolean {
  return decision.decidedBy === "human" && decision.corrects !== undefined;
}

/**
 * The path a run took: its route, escalation and approval decisions in order,
 * each with the latest correction made to it. Corrections never change the path:
 * they say where it should have gone.
 */
export function decisionPath(decisions: readonly DecisionRecord[]): PathStep[] {
  const corrections = new Map<string, DecisionRecord>();
  for (const decision of decisions) {
    if (isCorrection(decision) && decision.corrects !== undefined)
      corrections.set(decision.corrects, decision);
  }
  return [...decisions]
    .sort((left, right) => left.sequence - right.sequence)
    .filter((decision) => PATH_KINDS.has(decision.kind) && !isCorrection(decision))
    .map((decision) => ({
      node: decision.node,
      branch: decision.choice,
      decision,
      correction: corrections.get(decision.key) ?? null,
    }));
}

/** A path as one line: `node→branch › node→branch`; runs with equal signatures went the same way. */
export function pathSignature(steps: readonly Pick<PathStep, "node" | "branch">[]): string {
  return steps.length === 0
    ? "(no decisions)"
    : steps.map((step) => `${step.node}→${step.branch}`).join(" › ");
}
