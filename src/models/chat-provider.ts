import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { AIMessage } from "@langchain/core/messages";
import { ChatOpenAI } from "@langchain/openai";
import type { DecisionInput } from "../contracts/decision.ts";
import { ErrorCode, SignalboxError } from "../errors.ts";
import { CircuitBreaker, type CircuitBreakerOptions } from "./circuit-breaker.ts";
import { classifyModelError } from "./model-errors.ts";
import type { ModelSpec } from "./model-spec.ts";
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
        this.breaker.failure();
        const again = fault.retryable && attempt < this.retry.maxAttempts;
        const delay = Math.min(
          this.retry.maxDelayMs,
          fault.retryAfterMs ?? this.retry.baseDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random()),
        );
        report({
          node: "",
          kind: "retry",
          options: [{ name: "retry" }, { name: "give_up" }],
          choice: again ? "retry" : "give_up",
          reason: `${this.id} ${fault.kind}${fault.status ? ` (${fault.status})` : ""} on attempt ${attempt} of ${this.retry.maxAttempts}: ${fault.message.slice(0, 200)}${again ? `; retrying in ${Math.round(delay)} ms${fault.retryAfterMs !== undefined ? " (Retry-After)" : ""}` : ""}`,
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

/** Settings for building providers from model names. */
export interface ProviderSettings {
  readonly apiKey?: string;
  readonly baseURL?: string;
  readonly timeoutMs?: number;
  readonly limits?: RateLimits;
  readonly retry?: ProviderRetry;
  readonly breaker?: CircuitBreakerOptions;
  readonly structuredMethod?: StructuredMethod;
  readonly prices?: ModelPrices;
  /** The HTTP transport under the OpenAI client (e.g. one that records or replays replies). */
  readonly fetch?: typeof fetch;
}

/**
 * Builds the provider for a model name; `offline` has none (routes use the
 * classifier). LangChain's own retries are off: ours report each one.
 * @throws SignalboxError CONFIG_INVALID when `openai:` has no API key
 */
export function createChatProvider(
  spec: ModelSpec,
  settings: ProviderSettings = {},
): ChatProvider | undefined {
  if (spec.provider === "offline") return undefined;
  if (spec.provider === "openai" && !settings.apiKey) {
    throw new SignalboxError(
      ErrorCode.ConfigInvalid,
      `model ${spec.id} needs OPENAI_API_KEY (or use openai-compatible:<model>@<baseURL> for a local server)`,
    );
  }
  const model = new ChatOpenAI({
    model: spec.model,
    apiKey: settings.apiKey ?? "not-needed",
    maxRetries: 0,
    timeout: settings.timeoutMs ?? 60_000,
    configuration: {
      baseURL: spec.provider === "openai-compatible" ? spec.baseURL : settings.baseURL,
      ...(settings.fetch === undefined ? {} : { fetch: settings.fetch }),
    },
  });
  return new ChatProvider({
    id: spec.id,
    model,
    structuredMethod: settings.structuredMethod ?? "jsonSchema",
    limits: settings.limits,
    retry: settings.retry,
    breaker: settings.breaker,
    prices: settings.prices,
  });
}
