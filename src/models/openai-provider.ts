/**
 * Builds a {@link ChatProvider} from a model name. Its own module because it is the
 * only one that imports the OpenAI client (`@langchain/openai`, `openai`): the
 * provider class wraps any LangChain chat model, so a process that never builds a
 * provider from a model spec (offline runs, `runs`, `show`) never loads it (issue 10).
 */
import { ChatOpenAI } from "@langchain/openai";
import { ErrorCode, SignalboxError } from "../errors.ts";
import {
  ChatProvider,
  type ModelPrices,
  type ProviderRetry,
  type StructuredMethod,
} from "./chat-provider.ts";
import type { CircuitBreakerOptions } from "./circuit-breaker.ts";
import type { ModelSpec } from "./model-spec.ts";
import type { RateLimits } from "./rate-limiter.ts";

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
