import type { Decider } from "../contracts/decider.ts";
import { ErrorCode, SignalboxError } from "../errors.ts";
import type { ChatProvider, ModelPrices } from "../models/chat-provider.ts";
import { createLlmDecider } from "../models/llm-decider.ts";
import { parseModelSpec } from "../models/model-spec.ts";
import { createChatProvider } from "../models/openai-provider.ts";
import type { RateLimits } from "../models/rate-limiter.ts";
import { ReplyFixture } from "./reply-fixture.ts";
import type { ModelConfig } from "./suite.ts";
import type { ReplyMode } from "./types.ts";

/** Connection settings for live and recording runs (from the environment, in the CLI). */
export interface ModelSettings {
  readonly apiKey?: string;
  readonly baseURL?: string;
  readonly timeoutMs?: number;
  readonly limits?: RateLimits;
  readonly prices?: ModelPrices;
  /** The transport under a recording fixture; default the global fetch. */
  readonly fetch?: typeof fetch;
}

/** The LLM tier of one model configuration, and how its replies are obtained. */
export interface ModelTier {
  readonly llm: Decider | undefined;
  /** The same model as agent steps' chat model (issue 16); undefined offline. */
  readonly chat?: ChatProvider;
  readonly mode: ReplyMode;
  readonly fixture: ReplyFixture | undefined;
}

/** Options of {@link createModelTier}. */
export interface ModelTierOptions {
  /** The configuration's fixture file: replayed, or written when `record` is set. */
  readonly fixturePath?: string;
  readonly record?: boolean;
  readonly settings?: ModelSettings;
}

function replyMode(options: ModelTierOptions): Exclude<ReplyMode, "offline"> {
  if (options.record) return "record";
  return options.fixturePath === undefined ? "live" : "replay";
}

/**
 * Builds the LLM tier for a configuration: none for `offline`; otherwise a chat
 * provider (retries, breaker, rate limits) whose transport replays a fixture,
 * records into one, or talks to the model directly.
 * @throws SignalboxError CONFIG_INVALID for a bad model name, a missing key, or a missing fixture
 */
export async function createModelTier(
  config: ModelConfig,
  options: ModelTierOptions = {},
): Promise<ModelTier> {
  const spec = parseModelSpec(config.model, `model of configuration "${config.name}"`);
  if (spec.provider === "offline") return { llm: undefined, mode: "offline", fixture: undefined };
  const mode = replyMode(options);
  const settings = options.settings ?? {};
  if (mode === "record" && options.fixturePath === undefined)
    throw new SignalboxError(
      ErrorCode.ConfigInvalid,
      `configuration "${config.name}" has no fixture to record into`,
    );
  const fixture =
    options.fixturePath === undefined
      ? undefined
      : await ReplyFixture.open(options.fixturePath, mode === "record" ? "record" : "replay");
  if (spec.provider === "openai" && mode !== "replay" && !settings.apiKey)
    throw new SignalboxError(
      ErrorCode.ConfigInvalid,
      `configuration "${config.name}" (${spec.id}) needs OPENAI_API_KEY to run live or record`,
    );
  const provider = createChatProvider(spec, {
    ...settings,
    // A replay needs no key: nothing leaves the machine.
    apiKey: settings.apiKey ?? (mode === "replay" ? "replay" : undefined),
    structuredMethod: config.structuredMethod ?? "jsonSchema",
    limits: { ...settings.limits, ...config.limits },
    prices: config.prices ?? settings.prices,
    fetch: fixture?.fetch(settings.fetch),
  });
  if (provider === undefined) return { llm: undefined, mode: "offline", fixture };
  return { llm: createLlmDecider(provider), chat: provider, mode, fixture };
}
