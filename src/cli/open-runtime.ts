import { join } from "node:path";
import type { Decider } from "../graph/route-decider.ts";
import { type ChatProvider, createChatProvider } from "../models/chat-provider.ts";
import { createLlmDecider } from "../models/llm-decider.ts";
import { createLogger } from "../runtime/logger.ts";
import { WorkflowRegistry } from "../runtime/registry.ts";
import { Runtime } from "../runtime/runtime.ts";
import { SqliteRunStore } from "../store/sqlite-store.ts";
import { createBuiltinWorkflows } from "../workflows/index.ts";
import { type CliSettings, readSettings } from "./environment.ts";
import type { GlobalFlags } from "./program.ts";

/** The configured model: the chat provider (for agents) and the LLM route tier; none for `offline`. */
function createModels(settings: CliSettings): { chat?: ChatProvider; llm?: Decider } {
  const providerSettings = {
    apiKey: settings.apiKey,
    baseURL: settings.baseURL,
    limits: settings.limits,
    prices: settings.prices,
  };
  const chat = createChatProvider(settings.model, providerSettings);
  if (chat === undefined) return {};
  const fallback = settings.fallbackModel
    ? createChatProvider(settings.fallbackModel, providerSettings)
    : undefined;
  return { chat, llm: createLlmDecider(chat, fallback) };
}

/** Opens the runtime over the SQLite file in the data directory, with the shipped workflows. */
export async function openRuntime(
  flags: GlobalFlags,
  environment: NodeJS.ProcessEnv,
): Promise<Runtime> {
  const settings = readSettings(flags, environment);
  const logger = createLogger(settings.logLevel);
  const store = new SqliteRunStore(join(settings.home, "signalbox.db"));
  const workflows = new WorkflowRegistry(createBuiltinWorkflows({ home: settings.home }));
  return new Runtime({ store, workflows, logger, ...createModels(settings) });
}
