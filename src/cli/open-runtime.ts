import { join } from "node:path";
import type { Decider } from "../graph/route-decider.ts";
import { createChatProvider } from "../models/chat-provider.ts";
import { createLlmDecider } from "../models/llm-decider.ts";
import { createLogger } from "../runtime/logger.ts";
import { WorkflowRegistry } from "../runtime/registry.ts";
import { Runtime } from "../runtime/runtime.ts";
import { SqliteRunStore } from "../store/sqlite-store.ts";
import { createBuiltinWorkflows } from "../workflows/index.ts";
import { type CliSettings, readSettings } from "./environment.ts";
import type { GlobalFlags } from "./program.ts";

/** The LLM tier from the settings: none for `offline`, else the model with an optional fallback. */
function createLlmTier(settings: CliSettings): Decider | undefined {
  const provider = createChatProvider(settings.model, {
    apiKey: settings.apiKey,
    baseURL: settings.baseURL,
  });
  if (provider === undefined) return undefined;
  const fallback = settings.fallbackModel
    ? createChatProvider(settings.fallbackModel, {
        apiKey: settings.apiKey,
        baseURL: settings.baseURL,
      })
    : undefined;
  return createLlmDecider(provider, fallback);
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
  return new Runtime({ store, workflows, logger, llm: createLlmTier(settings) });
}
