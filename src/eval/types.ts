import type { DecidedBy } from "../contracts/decision.ts";
import type { RunStatus } from "../store/types.ts";
import type { Expectation } from "./expectation.ts";

/** How a case ended: a run status, `rejected` (the workflow refused the input) or `error`. */
export type CaseStatus = RunStatus | "rejected" | "error";

/** One case of a suite: the workflow input and what must (or must not) happen. */
export interface EvalCase {
  readonly id: string;
  readonly input: unknown;
  readonly expect: Expectation;
  readonly tags: readonly string[];
  /** Why the case exists, shown in reports. */
  readonly note?: string;
}

/** The last decision a route node made in one run. */
export interface RouteOutcome {
  readonly choice: string;
  /** `escalation` when the route escalated (a rule or low confidence). */
  readonly kind: "route" | "escalation";
  readonly decidedBy: DecidedBy;
  readonly confidence: number | null;
  /** The best-scored option, when the decider gave scores (the classifier's pick before escalating). */
  readonly top: string | null;
  /** The route's declared escalation branch, if any. */
  readonly escalationBranch: string | null;
  readonly latencyMs: number | null;
}

/** A planned (dry-run) or performed effect of a case's run. */
export interface EffectOutcome {
  readonly name: string;
  readonly node: string;
  readonly status: string;
  readonly args: unknown;
}

/** One tool call an agent step asked for in a case's run (issue 16). */
export interface ToolCallOutcome {
  readonly node: string;
  readonly tool: string;
  /** `ran` when the tool was executed (or planned, in a dry run); else why not: `refused`, `invalid_arguments`, `rejected`. */
  readonly outcome: "ran" | "refused" | "invalid_arguments" | "rejected";
}

/** What happened when one case ran. */
export interface CaseOutcome {
  readonly runId: string | null;
  readonly status: CaseStatus;
  readonly error: string | null;
  readonly output: unknown;
  readonly routes: Readonly<Record<string, RouteOutcome>>;
  readonly effects: readonly EffectOutcome[];
  /** Tool calls of agent steps, in order. */
  readonly toolCalls?: readonly ToolCallOutcome[];
  /** True when any route escalated (chose its escalation branch or logged an escalation). */
  readonly escalated: boolean;
  readonly latencyMs: number;
  readonly tokensIn: number;
  readonly tokensOut: number;
  readonly costUsd: number;
  /** Route decisions the LLM tier made (or tried to make). */
  readonly llmDecisions: number;
  /** Route decisions rules or the classifier made while an LLM tier was configured. */
  readonly llmAvoided: number;
}

/** A case with its outcome and verdict. */
export interface CaseResult {
  readonly id: string;
  readonly tags: readonly string[];
  readonly note?: string;
  readonly input: unknown;
  readonly expect: Expectation;
  readonly passed: boolean;
  /** Each unmet expectation, in words ("routes.classify_intent: expected refund, got technical"). */
  readonly failures: readonly string[];
  readonly outcome: CaseOutcome;
}

/** Counts of who made a route node's final decision. */
export interface TierCounts {
  readonly rule: number;
  readonly classifier: number;
  readonly llm: number;
  readonly default: number;
  /** The classifier or the LLM was not confident enough, so the route escalated. */
  readonly lowConfidence: number;
}

/** Precision and recall of one branch of a route node. */
export interface BranchMetrics {
  readonly branch: string;
  readonly support: number;
  readonly predicted: number;
  readonly precision: number | null;
  readonly recall: number | null;
}

/** One point of the accuracy-vs-coverage curve (deciding only above a confidence). */
export interface CoveragePoint {
  readonly threshold: number;
  readonly coverage: number;
  readonly accuracy: number;
}

/** The out-of-scope figures at one confidence threshold (see threshold-sweep.ts). */
export interface OutOfScopeCurvePoint {
  readonly threshold: number;
  /** In-scope cases routed to the right branch and not escalated, over all in-scope cases. */
  readonly inScopeAccuracy: number | null;
  /** Out-of-scope cases escalated, over all out-of-scope cases. */
  readonly recall: number | null;
  /** Escalated cases that were out of scope, over all escalated cases. */
  readonly precision: number | null;
}

/** How a route node handled cases tagged `out-of-scope` (they must escalate). */
export interface OutOfScopeMetrics {
  readonly inScopeCases: number;
  readonly outOfScopeCases: number;
  /** In-scope cases routed to the right branch and not escalated, over all in-scope cases. */
  readonly inScopeAccuracy: number | null;
  /** Out-of-scope cases the route escalated. */
  readonly recall: number | null;
  /** Escalated cases that were out of scope. */
  readonly precision: number | null;
  /** The same three figures had the route decided only at or above each threshold. */
  readonly curve: readonly OutOfScopeCurvePoint[];
}

/** Scores of one route node over the cases that name its expected branch. */
export interface NodeMetrics {
  readonly node: string;
  /** Cases that name an expected branch for this node. */
  readonly labelled: number;
  /** Of those, cases whose run reached the node. */
  readonly reached: number;
  readonly accuracy: number;
  /** Accuracy of the decider's best pick on every labelled case, as if the route never escalated. */
  readonly topAccuracy: number;
  /** Share of labelled cases the route decided itself (did not escalate). */
  readonly coverage: number;
  /** Accuracy on the cases it decided itself. */
  readonly selectiveAccuracy: number | null;
  readonly tiers: TierCounts;
  readonly branches: readonly BranchMetrics[];
  /** Most frequent (expected → got) mistakes. */
  readonly confusions: readonly { expected: string; got: string; count: number }[];
  readonly latencyP50Ms: number | null;
  readonly latencyP95Ms: number | null;
  /**
   * Accuracy on decided cases vs coverage had the route decided only at or above
   * each confidence (rules' decisions fixed, picks of the escalation branch
   * escalating): at the route's own threshold it gives `coverage` and
   * `selectiveAccuracy`.
   */
  readonly curve: readonly CoveragePoint[];
  /** Present when some labelled cases carry the tag `out-of-scope`. */
  readonly outOfScope: OutOfScopeMetrics | null;
}

/** The figures of one model configuration over all cases. */
export interface ConfigSummary {
  readonly cases: number;
  readonly passed: number;
  readonly passRate: number;
  /** Runs that finished (succeeded, or paused at an approval) or were rightly rejected. */
  readonly completionRate: number;
  readonly escalationRate: number;
  readonly latencyP50Ms: number;
  readonly latencyP95Ms: number;
  readonly tokensIn: number;
  readonly tokensOut: number;
  readonly costUsd: number;
  readonly llmDecisions: number;
  readonly llmAvoided: number;
  readonly casesPerSecond: number;
  readonly nodes: readonly NodeMetrics[];
}

/** How LLM replies were obtained for a configuration. */
export type ReplyMode = "offline" | "live" | "record" | "replay";

/** The result of one model configuration. */
export interface ConfigResult {
  readonly name: string;
  readonly model: string;
  readonly replyMode: ReplyMode;
  readonly fixture: string | null;
  /** Requests a replay fixture had no reply for (re-record them). */
  readonly replayMisses: number;
  readonly summary: ConfigSummary;
  readonly cases: readonly CaseResult[];
}

/** What one `signalbox eval` produced. */
export interface EvalResult {
  readonly format: "signalbox-eval-result/1";
  readonly id: string;
  readonly suite: string;
  readonly suiteFile: string;
  readonly workflow: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** Cases in the data set, and how many were run (`--limit`). */
  readonly totalCases: number;
  readonly limit: number | null;
  /** Cases in flight at once: case latencies are wall times under this load. */
  readonly concurrency: number;
  readonly configs: readonly ConfigResult[];
}
