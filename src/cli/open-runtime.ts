import { join } from "node:path";
import type { Logger } from "pino";
import type { SignalboxConfig } from "../config/define-config.ts";
import { configuredWorkflows } from "../config/load-config.ts";
import type { Decider } from "../contracts/decider.ts";
import { ErrorCode, SignalboxError } from "../errors.ts";
import type { ChatProvider } from "../models/chat-provider.ts";
import { directoryClassifierCache } from "../models/classifier-cache.ts";
import { createLogger } from "../runtime/logger.ts";
import { WorkflowRegistry } from "../runtime/registry.ts";
import { parseAge, type RetentionPolicy } from "../runtime/retention.ts";
import { Runtime, type RuntimeOptions } from "../runtime/runtime.ts";
import { type McpServersConfig, readMcpServersConfig } from "../tools/mcp-config.ts";
import type { McpToolset } from "../tools/mcp-tools.ts";
import { ToolRegistry } from "../tools/tool-registry.ts";
import { demoTriggers } from "../triggers/demo-triggers.ts";
import { BUILTIN_WORKFLOW_NAMES, builtinWorkflowFactories } from "../workflows/index.ts";
import type { GlobalFlags, HostedTriggers } from "./cli-io.ts";
import type { CliSettings } from "./environment.ts";
import { openStore } from "./open-store.ts";
import { openProject, type Project } from "./project.ts";

/**
 * The configured model: the chat provider (for agents) and the LLM route tier; none
 * for `offline`, which loads no model client at all.
 */
async function createModels(
  settings: CliSettings,
): Promise<{ chat?: ChatProvider; llm?: Decider }> {
  if (settings.model.provider === "offline") return {};
  const { createChatProvider } = await import("../models/openai-provider.ts");
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
 * The CLI's runtime: it also holds the project's tools and those of its MCP servers
 * (for agent steps that name tools through a registry, and for the chat),
 * connecting to the servers on first use so commands that never need them start
 * none, and stopping them when it closes.
 */
export class CliRuntime extends Runtime {
  constructor(
    options: RuntimeOptions,
    private readonly toolset: ProjectTools,
    hosting: {
      /** Defaults for `signalbox serve` from the config. */
      readonly server?: SignalboxConfig["server"];
      readonly triggers?: HostedTriggers;
      /** The data directory (eval results live in `<home>/evals`). */
      readonly home?: string;
    } = {},
  ) {
    super(options);
    this.server = hosting.server ?? {};
    this.triggers = hosting.triggers;
    this.home = hosting.home;
  }

  /** The data directory (eval results live in `<home>/evals`). */
  readonly home: string | undefined;

  /** Defaults for `signalbox serve` from the config. */
  readonly server: NonNullable<SignalboxConfig["server"]>;
  /** The config's triggers (or, with no config, the demo webhook when it has a secret). */
  readonly triggers: HostedTriggers | undefined;

  /** The config's tools plus those of its MCP servers; connects the first time. */
  tools(): Promise<ToolRegistry> {
    return this.toolset.all();
  }

  /** Stopped (its buffered spans flushed) when the runtime closes. */
  private tracing: { shutdown(): Promise<void> } | undefined;

  /**
   * Traces runs with OpenTelemetry when an OTLP endpoint is configured
   * (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`). The tracing
   * module and the OpenTelemetry SDK are imported only then: without an endpoint,
   * tracing costs nothing.
   */
  async traceWhenConfigured(environment: NodeJS.ProcessEnv): Promise<void> {
    const endpoint =
      environment.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || environment.OTEL_EXPORTER_OTLP_ENDPOINT;
    if (!endpoint || this.tracing !== undefined) return;
    const { startTracing } = await import("../tracing/run-tracing.ts");
    // The exporter reads the OTEL_* variables itself (endpoint, headers, timeout).
    this.tracing = await startTracing(this, {
      serviceName: environment.OTEL_SERVICE_NAME || "signalbox",
    });
  }

  override async close(): Promise<void> {
    try {
      await super.close();
    } finally {
      await this.tracing?.shutdown().catch(() => undefined);
      await this.toolset.close();
    }
  }
}

/** The project's own tools and its MCP servers' tools, connected once, on demand. */
class ProjectTools {
  private connected: Promise<McpToolset | undefined> | undefined;

  constructor(
    readonly own: ToolRegistry,
    private readonly connect: () => Promise<McpToolset | undefined>,
  ) {}

  async all(): Promise<ToolRegistry> {
    this.connected ??= this.connect();
    const registry = new ToolRegistry(this.own.list());
    for (const tool of (await this.connected)?.registry.list() ?? []) registry.register(tool);
    return registry;
  }

  async close(): Promise<void> {
    const mcp = await this.connected?.catch(() => undefined);
    await mcp?.close();
  }
}

/**
 * The MCP servers: the config's `mcpServers`, else `<home>/mcp-servers.json` (or
 * SIGNALBOX_MCP_SERVERS), read now so a bad file fails at start-up; returns how to
 * connect to them later. Stdio servers get SIGNALBOX_MCP_DEPTH one deeper, so a
 * configuration that starts signalbox itself fails with a message instead of
 * starting processes without end.
 */
function configuredMcpTools(
  project: Project,
  environment: NodeJS.ProcessEnv,
  logger: Logger,
): () => Promise<McpToolset | undefined> {
  const { settings, loaded } = project;
  const { path, required } = settings.mcpServers;
  const config: McpServersConfig | undefined =
    loaded?.mcpServers ?? readMcpServersConfig(path, { environment, required });
  if (config === undefined || config.servers.length === 0) return async () => undefined;
  if (settings.mcpDepth >= MAX_MCP_DEPTH)
    throw new SignalboxError(
      ErrorCode.ConfigInvalid,
      `MCP servers nest ${settings.mcpDepth} deep (SIGNALBOX_MCP_DEPTH): does ${loaded?.file ?? path} start signalbox with the same configuration? Give that server its own --home, or remove it.`,
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
 * The config's workflows, or (without a config) the built-in demo ones, saying so; the
 * built-in ones are compiled when first looked up, so a command compiles only the
 * workflows it uses.
 */
async function hostedWorkflows(
  project: Project,
  tools: ProjectTools,
  notice: ((text: string) => void) | undefined,
): Promise<WorkflowRegistry> {
  const { settings, loaded } = project;
  if (loaded === undefined) {
    notice?.(
      `no signalbox.config.ts (or .js, .mjs) here or above: hosting the built-in demo workflows (${BUILTIN_WORKFLOW_NAMES.join(", ")}); \`signalbox init\` starts a project of your own\n`,
    );
    const registry = new WorkflowRegistry();
    for (const { name, create } of builtinWorkflowFactories({ home: settings.home }))
      registry.registerLazy(name, create);
    return registry;
  }
  return new WorkflowRegistry(
    await configuredWorkflows(loaded, {
      home: settings.home,
      tools: tools.own,
      mcpTools: () => tools.all(),
    }),
  );
}

export interface OpenRuntimeOptions {
  /** The project, when the caller has loaded it already; else it is looked for from the working directory. */
  readonly project?: Project;
  /** Told once when there is no config and the demo workflows stand in. */
  readonly notice?: (text: string) => void;
}

/** The config's `store.retention` (ages already checked by the config schema). */
function retentionOf(
  retention: { readonly olderThan?: string; readonly evalOlderThan?: string } | undefined,
): RetentionPolicy | undefined {
  if (retention === undefined) return undefined;
  const age = (value: string | undefined, field: string) =>
    value === undefined ? undefined : parseAge(value, `store.retention.${field}`);
  return {
    olderThanMs: age(retention.olderThan, "olderThan"),
    evalOlderThanMs: age(retention.evalOlderThan, "evalOlderThan"),
  };
}

/**
 * Opens the runtime over the configured store, with the project's workflows (or the
 * built-in demo ones), its model, and the tools of its MCP servers.
 * @throws SignalboxError CONFIG_INVALID naming the setting or the config key
 */
export async function openRuntime(
  flags: GlobalFlags,
  environment: NodeJS.ProcessEnv,
  options: OpenRuntimeOptions = {},
): Promise<CliRuntime> {
  const project = options.project ?? (await openProject(flags, environment));
  const { settings } = project;
  const logger = createLogger(settings.logLevel);
  const tools = new ProjectTools(
    new ToolRegistry(project.loaded?.config.tools ?? []),
    configuredMcpTools(project, environment, logger),
  );
  const workflows = await hostedWorkflows(project, tools, options.notice);
  const synchronous = settings.sqliteSynchronous ?? flags.sqliteSynchronous;
  const { store, queue } = await openStore({ ...settings, sqliteSynchronous: synchronous }, logger);
  const runtime = new CliRuntime(
    {
      store,
      queue,
      workflows,
      logger,
      leaseMs: settings.leaseMs,
      execute: flags.execute,
      retention: retentionOf(project.loaded?.config.store?.retention),
      // Routes restore their offline classifiers from here instead of training on every start.
      classifierCache: directoryClassifierCache(join(settings.home, "cache", "classifiers")),
      ...(await createModels(settings)),
    },
    tools,
    {
      server: project.loaded?.config.server,
      triggers: hostedTriggers(project),
      home: settings.home,
    },
  );
  await runtime.traceWhenConfigured(environment);
  return runtime;
}

/** The config's triggers; with no config, the demo webhook `support` once it has a secret. */
function hostedTriggers(project: Project): HostedTriggers | undefined {
  const { loaded, settings } = project;
  if (loaded !== undefined)
    return (
      loaded.config.triggers && { config: loaded.config.triggers, directory: loaded.directory }
    );
  if (settings.webhookSecret === undefined) return undefined;
  return { config: demoTriggers(settings.webhookSecret), directory: process.cwd() };
}
