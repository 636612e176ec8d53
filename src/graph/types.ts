import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { Logger } from "pino";
import type { z } from "zod";
import type { Decider, RouteRequest } from "../contracts/decider.ts";
import type { DecidedBy, DecisionInput, DecisionRecord } from "../contracts/decision.ts";
import type { EffectClass } from "../contracts/effect-class.ts";
import type { ChatProvider } from "../models/chat-provider.ts";
import type { Tool } from "../tools/define-tool.ts";
import type { ToolRegistry } from "../tools/tool-registry.ts";
import type { ApproverRule } from "./approval-rule.ts";

/** The special target that ends a run. */
export const END_NODE = "end";

/** The state every node sees: the run's input, the workflow's own fields, and bookkeeping. */
export type WorkflowState<TInput, TFields, TOutput> = {
  readonly input: TInput;
  readonly output?: TOutput;
  /** The latest choice of each route node, by node name. */
  readonly routes: Readonly<Record<string, RouteChoice>>;
  /** The outcome of each approval node, by node name. */
  readonly approvals: Readonly<Record<string, ApprovalOutcome>>;
  readonly decisions: readonly DecisionRecord[];
} & Partial<TFields>;

/** What a step returns: any of the workflow's fields, and the output when it is the one that ends the run. */
export type StateUpdate<TFields, TOutput> = Partial<TFields> & { output?: TOutput };

/** Tools a step gets besides the state. */
export interface StepContext {
  readonly runId: string;
  readonly node: string;
  readonly dryRun: boolean;
  readonly logger: Logger;
  /** The attempt number of this execution, 1-based. */
  readonly attempt: number;
  /** Unique per run, node and call: pass it to downstream systems so they can deduplicate. */
  readonly idempotencyKey: string;
  readonly signal: AbortSignal | undefined;
  /** Adds a decision of your own (e.g. a tool pick) to the decision-path log. */
  decide(decision: DecisionInput): void;
}

/** What a compensation gets: the effect's idempotency key, its `describe` args and its result. */
export interface UndoInput {
  readonly key: string;
  readonly args: unknown;
  readonly result: unknown;
}

/** Retry settings for a step (LangGraph retry policy underneath). */
export interface RetryOptions {
  readonly maxAttempts: number;
  readonly initialIntervalMs?: number;
  readonly backoffFactor?: number;
  readonly maxIntervalMs?: number;
  readonly jitter?: boolean;
  /** Which errors are worth retrying; default: all except signalbox's non-retryable ones. */
  readonly retryOn?: (error: unknown) => boolean;
}

export interface StepOptions<S, U> {
  readonly run: (state: S, context: StepContext) => Promise<U> | U;
  readonly effect?: EffectClass;
  /** For write effects: what the step will do, as JSON (shown in dry-run plans and passed to `undo`). */
  readonly describe?: (state: S) => unknown;
  /** Compensation for a completed write effect, run in reverse order when the run fails later. */
  readonly undo?: (effect: UndoInput, context: StepContext) => Promise<void>;
  /** For write effects in a dry-run: the update to continue with instead of performing the step. */
  readonly preview?: (state: S) => U;
  readonly retry?: RetryOptions;
  readonly timeoutMs?: number;
  /** Runs when the step still fails after its retries; its update replaces the step's. */
  readonly fallback?: (state: S, error: Error) => Promise<U> | U;
  readonly next?: string;
}

export interface BranchSpec {
  readonly description: string;
  readonly examples?: readonly string[];
  /** The node this branch leads to; defaults to the node named like the branch. */
  readonly to?: string;
}

export interface RouteRule<S> {
  readonly name: string;
  /**
   * Whether the rule applies. `text` is the route's `text`, normalised as
   * deciders see it (NFKC, invisible characters removed, whitespace collapsed:
   * see `normalizeText`); match patterns against it rather than raw input.
   */
  readonly when: (state: S, text: string) => boolean;
  readonly branch: string;
  /** Why, for the decision log: a sentence, or one made from the state (say, naming a policy's reason). */
  readonly reason?: string | ((state: S) => string);
}

/** What a decider answers (validated against the declared branches). */
export interface RouteAnswer {
  readonly branch: string;
  readonly reason: string;
  readonly confidence?: number;
  readonly scores?: readonly { name: string; score: number }[];
  readonly modelId?: string;
  readonly tokensIn?: number;
  readonly tokensOut?: number;
  readonly costUsd?: number;
}

/** A plain-function decider: may return anything; it is validated. */
export type RouteDeciderFunction<S = unknown> = (
  request: RouteRequest<S>,
) => Promise<unknown> | unknown;

export interface RouteOptions<S> {
  readonly branches: Readonly<Record<string, BranchSpec>>;
  /**
   * The text rules and the decider read; defaults to the JSON of the input.
   * It is normalised first (`normalizeText`).
   */
  readonly text?: (state: S) => string;
  readonly rules?: readonly RouteRule<S>[];
  /**
   * A LangChain chat model or a function; defaults to the offline classifier.
   * `null` makes a rules-only route: when no rule matches, the default branch is taken.
   */
  readonly decider?: BaseChatModel | RouteDeciderFunction<S> | null;
  /** Who a function decider counts as in the log; default `classifier`. */
  readonly decidedBy?: Exclude<DecidedBy, "human" | "default">;
  /** Where invalid answers end up after one repair try. */
  readonly defaultBranch: string;
  /** Where low-confidence answers go. */
  readonly escalationBranch?: string;
  readonly minConfidence?: number;
  /**
   * Cascade (when no `decider` is given): the offline classifier decides when its
   * confidence reaches this threshold; below it the LLM tier is asked. Default 0.8.
   */
  readonly classifierThreshold?: number;
  /** The LLM tier of the cascade; default the runtime's model; `false` keeps this route offline. */
  readonly llm?: Decider | false;
  /**
   * Extra labelled examples for the offline classifier (when no `decider` is given),
   * e.g. reviewers' corrections from `signalbox labels export` (issue 17).
   */
  readonly trainingExamples?: readonly { readonly label: string; readonly text: string }[];
}

/** The branch a route took, kept in state for later steps. */
export interface RouteChoice {
  readonly branch: string;
  readonly reason: string;
  readonly confidence: number | null;
  readonly decidedBy: DecidedBy;
}

export type ApprovalStatusValue = "approved" | "rejected" | "changes_requested" | "expired";

/** A resolved approval, kept in state and in the audit trail. */
export interface ApprovalOutcome {
  readonly status: ApprovalStatusValue | "not_required";
  readonly by: string;
  readonly at: string;
  readonly comment: string | null;
}

export interface ApprovalOptions<S> {
  readonly message: (state: S) => string;
  readonly details?: (state: S) => unknown;
  /** When given and false, no approval is needed: the run continues as approved by rule. */
  readonly when?: (state: S) => boolean;
  /** Why no approval was needed, for the decision log (when `when` is false). */
  readonly skipReason?: (state: S) => string;
  /** How long the request stays open (ms); after that the approval counts as expired. */
  readonly deadlineMs?: number;
  /**
   * Who may decide (checked by the runtime, whichever adapter the decision comes
   * from). Default `requesterMayNotApprove`: the run's requester cannot approve it.
   */
  readonly approvers?: ApproverRule;
  /** Where each outcome leads; `approved` defaults to `next`, the rest to `end`. */
  readonly on?: Partial<Record<ApprovalStatusValue, string>>;
  readonly next?: string;
}

/**
 * A named sub-step of a parallel node: a function, or one with its own timeout
 * and a fallback whose result stands in when it fails or runs out of time.
 */
export type ParallelBranch<S> =
  | ((state: S, context: StepContext) => Promise<unknown>)
  | {
      readonly run: (state: S, context: StepContext) => Promise<unknown> | unknown;
      /** Only `pure` and `read` sub-steps: writes belong in their own steps, journaled. */
      readonly effect?: "pure" | "read";
      /** After this long the sub-step counts as failed (its signal is aborted). */
      readonly timeoutMs?: number;
      /** Its result instead, when the sub-step fails or times out; without it the node fails. */
      readonly fallback?: (state: S, error: Error) => unknown;
    };

export interface ParallelOptions<S, U, Item> {
  /** Fan out over items… */
  readonly items?: (state: S) => readonly Item[];
  readonly run?: (item: Item, context: StepContext) => Promise<unknown>;
  /** …or over named sub-steps. */
  readonly branches?: Readonly<Record<string, ParallelBranch<S>>>;
  /** Most sub-steps running at once; default unlimited. */
  readonly concurrency?: number;
  readonly join: (state: S, results: readonly unknown[], names: readonly string[]) => U;
  readonly next?: string;
}

/** How one tool call of an agent ended. */
export type AgentToolOutcome =
  | "succeeded"
  | "failed"
  | "planned"
  | "replayed"
  | "refused"
  | "invalid_arguments"
  | "rejected";

/** One tool call an agent's model asked for, and what came of it. */
export interface AgentToolCall {
  readonly id: string;
  readonly tool: string;
  /** The arguments as the model sent them, without the rationale. */
  readonly args: unknown;
  readonly rationale: string | null;
  readonly outcome: AgentToolOutcome;
  readonly result?: unknown;
  readonly error?: string;
}

/** What an agent did to reach its answer. */
export interface AgentTranscript {
  /** Model calls made. */
  readonly iterations: number;
  readonly calls: readonly AgentToolCall[];
}

export interface AgentOptions<S, U, A = string> {
  /** The system prompt: the agent's job and how to do it. */
  readonly instructions: string;
  /**
   * The allow-list: only these tools are offered and ever executed. Tools by
   * name need `registry`.
   */
  readonly tools: readonly (Tool | string)[];
  readonly registry?: ToolRegistry;
  /**
   * A LangChain chat model that can call tools, a {@link ChatProvider} (retries,
   * breaker, rate limits), or `"offline"`; default offline (no LLM: tools are
   * picked by description similarity, answers come from templates).
   */
  readonly model?: BaseChatModel | ChatProvider | "offline";
  /**
   * Used when no `model` is given and the run has no chat model configured: say, an
   * `OfflineAgentModel` with the domain's own plan. Default the generic offline agent model.
   */
  readonly offlineModel?: BaseChatModel;
  /** The request the agent works on. */
  readonly prompt: (state: S) => string;
  /** Most model calls per execution; default 6. Reaching it fails the step (or runs `fallback`). */
  readonly maxIterations?: number;
  /** A zod object schema for a structured final answer (given through a `final_answer` tool). */
  readonly output?: z.ZodType<A>;
  /** Maps the final answer (text, or the parsed `output`) into state. */
  readonly result: (state: S, answer: A, transcript: AgentTranscript) => Promise<U> | U;
  /** Runs when the agent fails (e.g. no answer within `maxIterations`); its update replaces the agent's. */
  readonly fallback?: (state: S, error: Error) => Promise<U> | U;
  readonly next?: string;
}

/** Re-export for option authors. */
export type { DecisionInput };
