import type { RetryPolicy } from "@langchain/langgraph";
import { isGraphBubbleUp } from "@langchain/langgraph";
import { isSignalboxError } from "../errors.ts";
import { beginNodeCall, type NodeCall, type NodeConfig, runNode } from "./node-call.ts";
import type { RetryOptions, StepOptions } from "./types.ts";

type AnyState = Record<string, unknown>;
type Update = Record<string, unknown>;

/** Default for which errors a retry can help with. */
export function isRetryable(error: unknown): boolean {
  if (isSignalboxError(error)) return error.retryable;
  return !isGraphBubbleUp(error);
}

/** Maps our retry options onto LangGraph's retry policy. */
export function toRetryPolicy(retry: RetryOptions | undefined): RetryPolicy | undefined {
  if (retry === undefined) return undefined;
  return {
    maxAttempts: retry.maxAttempts,
    initialInterval: retry.initialIntervalMs ?? 200,
    backoffFactor: retry.backoffFactor ?? 2,
    maxInterval: retry.maxIntervalMs ?? 10_000,
    jitter: retry.jitter ?? true,
    retryOn: retry.retryOn ?? isRetryable,
    // LangGraph would print each retry to stdout, which belongs to results and protocols.
    logWarning: false,
  };
}

/** Logs the retry-or-give-up decision for a failed attempt. */
function recordRetry(call: NodeCall, retry: RetryOptions | undefined, error: unknown): void {
  if (retry === undefined || retry.maxAttempts <= 1 || isGraphBubbleUp(error)) return;
  const retryOn = retry.retryOn ?? isRetryable;
  const again = call.attempt < retry.maxAttempts && retryOn(error);
  const message = error instanceof Error ? error.message : String(error);
  call.decide({
    node: call.node,
    kind: "retry",
    options: [{ name: "retry" }, { name: "give_up" }],
    choice: again ? "retry" : "give_up",
    reason: again
      ? `attempt ${call.attempt} of ${retry.maxAttempts} failed: ${message}`
      : `attempt ${call.attempt} of ${retry.maxAttempts} failed and ${call.attempt >= retry.maxAttempts ? "no attempts are left" : "the error is not retryable"}: ${message}`,
    confidence: null,
    decidedBy: "rule",
  });
}

/** Runs a write/irreversible step through the effect journal (or plans it in a dry-run). */
async function runEffectStep(
  call: NodeCall,
  name: string,
  options: StepOptions<AnyState, Update>,
  state: AnyState,
): Promise<Update> {
  const args = options.describe?.(state) ?? null;
  const outcome = await call.context.runEffect<Update>({
    key: call.effectKey(0),
    node: call.node,
    name,
    effect: options.effect === "irreversible" ? "irreversible" : "write",
    args,
    perform: async () => (await options.run(state, call.stepContext())) ?? {},
  });
  if (outcome.status === "planned") return options.preview?.(state) ?? {};
  return outcome.result;
}

/**
 * Builds the LangGraph node function for a fixed step: plain code, with
 * retries, timeout and fallback handled by LangGraph and recorded by us.
 */
export function createStepNode(name: string, options: StepOptions<AnyState, Update>) {
  const writes = options.effect === "write" || options.effect === "irreversible";
  return async (state: AnyState, config?: NodeConfig) => {
    const call = beginNodeCall(config, name);
    return runNode(call, async () => {
      try {
        const update = writes
          ? await runEffectStep(call, name, options, state)
          : ((await options.run(state, call.stepContext())) ?? {});
        return { update };
      } catch (error) {
        recordRetry(call, options.retry, error);
        throw error;
      }
    });
  };
}

/** Builds the LangGraph error handler that applies a step's fallback after its retries. */
export function createFallbackHandler(name: string, options: StepOptions<AnyState, Update>) {
  const fallback = options.fallback;
  if (fallback === undefined) return undefined;
  return async (state: AnyState, failure: { error: Error }, config?: NodeConfig) => {
    const call = beginNodeCall(config, name);
    const result = await runNode(call, async () => {
      call.decide({
        node: call.node,
        kind: "fallback",
        options: [{ name: "fallback" }, { name: "fail" }],
        choice: "fallback",
        reason: `step failed after retries: ${failure.error.message}`,
        confidence: null,
        decidedBy: "rule",
      });
      return { update: (await fallback(state, failure.error)) ?? {} };
    });
    return result as Update;
  };
}
