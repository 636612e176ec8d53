import type { Logger } from "pino";
import { ErrorCode, SignalboxError } from "../errors.ts";
import type { Decider } from "../graph/route-decider.ts";
import type { ChatProvider } from "../models/chat-provider.ts";
import { createLogger } from "../runtime/logger.ts";
import { WorkflowRegistry } from "../runtime/registry.ts";
import { Runtime, type RuntimeOptions } from "../runtime/runtime.ts";
import { readMcpServersConfig } from "../tools/mcp-config.ts";
import type { McpToolset } from "../tools/mcp-tools.ts";
import { ToolRegistry } from "../tools/tool-registry.ts";
import { createBuiltinWorkflows } from "../workflows/index.ts";
import type { GlobalFlags } from "./cli-io.ts";
import { type CliSettings, readSettings } from "./environment.ts";
import { openStore } from "./open-store.ts";

/**
 * The configured model: the chat provider (for agents) and the LLM route tier; none
 * for `offline`, which loads no model client at all.
 */
async function createModels(
  settings: CliSettings,
): Promise<{ chat?: ChatProvider; llm?: Decider }> {
  if (settings.model.provider === "offline") return {};
  const { createChatProvider } = await import("../models/chat-provider.ts");
  const { createLlmDecider } = await import("../models/llm-decider.ts");
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

/** signalbox processes started as MCP servers by one another (say, by a config naming itself) stop here. */
const MAX_MCP_DEPTH = 3;

/**
 * The CLI's runtime: it also holds the tools of the configured MCP servers
 * (for agent steps that name tools through a registry), connecting on first use
 * so commands that never need them (`runs`, `show`, …) start no server, and
 * closes their clients, stopping stdio servers, when it closes.
 */
export class CliRuntime extends Runtime {
  private mcp: Promise<McpToolset | undefined> | undefined;

  constructor(
    options: RuntimeOptions,
    private readonly connect: () => Promise<McpToolset | undefined>,
  ) {
    super(options);
  }

  /** Tools of the servers in `mcp-servers.json` (empty without one); connects the first time. */
  async tools(): Promise<ToolRegistry> {
    this.mcp ??= this.connect();
    return (await this.mcp)?.registry ?? new ToolRegistry();
  }

  override async close(): Promise<void> {
    try {
      await super.close();
    } finally {
      const mcp = await this.mcp?.catch(() => undefined);
      await mcp?.close();
    }
  }
}

/**
 * Reads `<home>/mcp-servers.json` (or SIGNALBOX_MCP_SERVERS) now, so a bad file fails
 * at start-up, and returns how to connect to its servers later. Stdio servers get
 * SIGNALBOX_MCP_DEPTH one deeper, so a configuration that starts signalbox itself
 * fails with a message instead of starting processes without end.
 */
function configuredMcpTools(
  settings: CliSettings,
  environment: NodeJS.ProcessEnv,
  logger: Logger,
): () => Promise<McpToolset | undefined> {
  const { path, required } = settings.mcpServers;
  const config = readMcpServersConfig(path, { environment, required });
  if (config === undefined || config.servers.length === 0) return async () => undefined;
  if (settings.mcpDepth >= MAX_MCP_DEPTH)
    throw new SignalboxError(
      ErrorCode.ConfigInvalid,
      `MCP servers nest ${settings.mcpDepth} deep (SIGNALBOX_MCP_DEPTH): does ${path} start signalbox with the same configuration? Give that server its own --home, or remove it.`,
    );
  const depth = String(settings.mcpDepth + 1);
  const servers = config.servers.map((server) =>
    "command" in server
      ? { ...server, env: { ...server.env, SIGNALBOX_MCP_DEPTH: depth } }
      : server,
  );
  return async () => {
    const { loadMcpTools } = await import("../tools/mcp-tools.ts");
    return loadMcpTools({ servers }, { logger });
  };
}

/**
 * Opens the runtime over the configured store, with the shipped workflows and the
 * tools of the configured MCP servers.
 */
export async function openRuntime(
  flags: GlobalFlags,
  environment: NodeJS.ProcessEnv,
): Promise<CliRuntime> {
  const settings = readSettings(flags, environment);
  const logger = createLogger(settings.logLevel);
  const connect = configuredMcpTools(settings, environment, logger);
  const { store, queue } = await openStore(settings, logger);
  const workflows = new WorkflowRegistry(createBuiltinWorkflows({ home: settings.home }));
  return new CliRuntime(
    {
      store,
      queue,
      workflows,
      logger,
      leaseMs: settings.leaseMs,
      execute: flags.execute,
      ...(await createModels(settings)),
    },
    connect,
  );
}
