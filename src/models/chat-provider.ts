import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { AIMessage } from "@langchain/core/messages";
import type { DecisionInput } from "../contracts/decision.ts";
import { ErrorCode, SignalboxError } from "../errors.ts";
import { CircuitBreaker, type CircuitBreakerOptions } from "./circuit-breaker.ts";
import { classifyModelError } from "./model-errors.ts";
import { RateLimiter, type RateLimits } from "./rate-limiter.ts";

/** How structured answers are asked for: `response_format: json_schema`, or a forced function call. */
export type StructuredMethod = "jsonSchema" | "functionCalling";

export interface ProviderRetry {
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
}

/** US dollars per million tokens, for the cost column of the decision log. */
export interface ModelPrices {
  readonly inputPerMillion: number;
  readonly outputPerMillion: number;
}

export interface ChatProviderOptions {
  readonly id: string;
  readonly prices?: ModelPrices;
  readonly model: BaseChatModel;
  readonly structuredMethod?: StructuredMethod;
  readonly retry?: ProviderRetry;
  readonly breaker?: CircuitBreakerOptions;
  readonly limits?: RateLimits;
  /** Injected for tests; default real timers. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * One chat model endpoint with its own retries, circuit breaker and rate
 * limits. Every retry is reported as a decision, so the log shows it.
 */
export class ChatProvider {
  readonly id: string;
  readonly model: BaseChatModel;
  readonly breaker: CircuitBreaker;
  readonly limiter: RateLimiter;
  readonly prices: ModelPrices | undefined;
  /** Switches when a server rejects the current method; remembered for later calls. */
  structuredMethod: StructuredMethod;
  private readonly retry: Required<ProviderRetry>;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: ChatProviderOptions) {
    this.id = options.id;
    this.model = options.model;
    this.prices = options.prices;
    this.structuredMethod = options.structuredMethod ?? "jsonSchema";
    this.breaker = new CircuitBreaker(options.breaker);
    this.limiter = new RateLimiter(options.limits);
    this.retry = { maxAttempts: 3, baseDelayMs: 250, maxDelayMs: 10_000, ...options.retry };
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** What a call cost, when prices are configured. */
  cost(tokensIn: number | undefined, tokensOut: number | undefined): number | undefined {
    if (this.prices === undefined) return undefined;
    return (
      ((tokensIn ?? 0) * this.prices.inputPerMillion +
        (tokensOut ?? 0) * this.prices.outputPerMillion) /
      1_000_000
    );
  }

  /**
   * Calls the model with retries (429 honouring Retry-After, 5xx, timeouts,
   * resets: exponential backoff with jitter), under the rate limits and the breaker.
   * @throws SignalboxError MODEL_UNAVAILABLE when the circuit is open or retries ran out
   */
  async call(
    invoke: (model: BaseChatModel) => Promise<AIMessage>,
    report: (decision: DecisionInput) => void,
    estimatedTokens = 0,
  ): Promise<AIMessage> {
    for (let attempt = 1; ; attempt += 1) {
      if (!this.breaker.allow()) {
        throw new SignalboxError(
          ErrorCode.ModelUnavailable,
          `circuit open for ${this.id} until ${new Date(this.breaker.reopensAt ?? Date.now()).toISOString()} after repeated failures`,
          { retryable: true },
        );
      }
      const slot = await this.limiter.acquire(estimatedTokens);
      try {
        const message = await invoke(this.model);
        this.breaker.success();
        this.limiter.release(
          slot,
          (message.usage_metadata?.input_tokens ?? 0) +
            (message.usage_metadata?.output_tokens ?? 0),
        );
        return message;
      } catch (error) {
        this.limiter.release(slot);
        const fault = classifyModelError(error);
        if (fault.kind === "rejected") throw error;
        // A reset on a call's first attempt is most often a pooled keep-alive socket the
        // server had already closed: retried at once, and not held against the endpoint
        // (a burst of them would open the circuit on a healthy endpoint and refuse the
        // retries). A reset on a fresh attempt counts like any other failure.
        const staleSocket = fault.reset === true && attempt === 1;
        if (!staleSocket) this.breaker.failure();
        const again = fault.retryable && attempt < this.retry.maxAttempts;
        const delay = staleSocket
          ? 0
          : Math.min(
              this.retry.maxDelayMs,
              fault.retryAfterMs ??
                this.retry.baseDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random()),
            );
        report({
          node: "",
          kind: "retry",
          options: [{ name: "retry" }, { name: "give_up" }],
          choice: again ? "retry" : "give_up",
          reason: `${this.id} ${fault.kind}${fault.reset === true ? " reset" : ""}${fault.status ? ` (${fault.status})` : ""} on attempt ${attempt} of ${this.retry.maxAttempts}: ${fault.message.slice(0, 200)}${again ? `; retrying in ${Math.round(delay)} ms${fault.retryAfterMs !== undefined ? " (Retry-After)" : ""}` : ""}`,
          confidence: null,
          decidedBy: "rule",
          modelId: this.id,
        });
        if (!again)
          throw new SignalboxError(
            ErrorCode.ModelUnavailable,
            `${this.id} failed: ${fault.message}`,
            { cause: error, retryable: fault.retryable },
          );
        await this.sleep(delay);
      }
    }
  }
}
