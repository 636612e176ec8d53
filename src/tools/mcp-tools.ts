/**
 * Tools from external MCP servers, as signalbox tools: each goes through
 * `defineTool`, so agents get them under the same allow-list, argument
 * validation, effect journal (planned in a dry-run), approval and decision
 * log as tools written in code.
 */
import type { CallToolResult, Tool as McpToolInfo } from "@modelcontextprotocol/sdk/types.js";
import pino, { type Logger } from "pino";
import { ErrorCode, errorMessage, SignalboxError } from "../errors.ts";
import { defineTool, type Tool, type ToolContext } from "./define-tool.ts";
import {
  type McpServerConfig,
  type McpServersConfig,
  type McpToolOverride,
  parseMcpServersConfig,
} from "./mcp-config.ts";
import { connectMcpServer, type McpConnection } from "./mcp-connection.ts";
import { effectOf, inputSchemaOf, resultText, resultValue } from "./mcp-tool-schema.ts";
import { ToolRegistry } from "./tool-registry.ts";
import { withRationale } from "./tool-schema.ts";

/** The `_meta` key a call's idempotency key travels under, so the server can deduplicate. */
export const MCP_IDEMPOTENCY_KEY_META = "signalbox/idempotency-key";
/** The `_meta` key of the calling run's id. */
export const MCP_RUN_ID_META = "signalbox/run-id";

/** Options for {@link loadMcpTools}. */
export interface LoadMcpToolsOptions {
  /** Where connection problems and server stderr are logged (debug). Default silent. */
  readonly logger?: Logger;
  /** Most time a server may take to start, shake hands and list its tools (ms). Default 30 000. */
  readonly connectTimeoutMs?: number;
}

/** The tools of the configured MCP servers, and their open connections. */
export interface McpToolset {
  /** Every allowed tool of every server, named `<prefix>__<tool>`. */
  readonly tools: readonly Tool[];
  /** The same tools by name: give it to agents as `registry` and list the tools they may use by name. */
  readonly registry: ToolRegistry;
  /** The servers' names, in configuration order. */
  readonly servers: readonly string[];
  /** Closes every client (stdio servers are stopped). Safe to call twice. */
  close(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 60_000;

function configError(server: McpServerConfig, message: string, data: Record<string, unknown> = {}) {
  return new SignalboxError(ErrorCode.ConfigInvalid, `MCP server "${server.name}": ${message}`, {
    data: { server: server.name, ...data },
  });
}

/** `<prefix>__<tool>`, with characters chat APIs refuse (e.g. `.` or `/`) replaced by `_`. */
function toolName(server: McpServerConfig, tool: McpToolInfo): string {
  const prefix = server.prefix ?? server.name;
  const name = `${prefix === "" ? "" : `${prefix}__`}${tool.name.replace(/[^A-Za-z0-9_-]/g, "_")}`;
  if (name.length > 64)
    throw configError(
      server,
      `the tool name "${name}" is longer than 64 characters; set a shorter "prefix", or "allow": false for "${tool.name}"`,
    );
  return name;
}

async function callTool(
  connection: McpConnection,
  tool: McpToolInfo,
  input: Record<string, unknown>,
  context: ToolContext,
): Promise<unknown> {
  const { server } = connection;
  const meta = {
    [MCP_IDEMPOTENCY_KEY_META]: context.idempotencyKey,
    [MCP_RUN_ID_META]: context.runId,
  };
  let result: CallToolResult;
  try {
    result = (await connection.client.callTool(
      { name: tool.name, arguments: input, _meta: meta },
      undefined,
      {
        signal: context.signal,
        timeout: server.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        resetTimeoutOnProgress: true,
        onprogress: (progress) => context.logger.debug({ progress }, "MCP tool progress"),
      },
    )) as CallToolResult;
  } catch (error) {
    throw new Error(`MCP server "${server.name}" (${tool.name}): ${errorMessage(error)}`, {
      cause: error,
    });
  }
  // An error result is the tool telling the model what went wrong: it goes back as an error result.
  if (result.isError === true)
    throw new Error(resultText(result) || `${tool.name} on MCP server "${server.name}" failed`);
  return resultValue(result);
}

function toSignalboxTool(
  connection: McpConnection,
  tool: McpToolInfo,
  override: McpToolOverride,
  logger: Logger,
): Tool {
  const { server } = connection;
  const name = toolName(server, tool);
  const input = inputSchemaOf(tool);
  if (!input.exact)
    logger.debug({ server: server.name, tool: tool.name }, "input schema not expressible in zod");
  const description =
    tool.description?.trim() || tool.annotations?.title || tool.title || `${tool.name} (MCP)`;
  try {
    const defined = defineTool({
      name,
      description,
      input: input.schema,
      effect: override.effect ?? effectOf(tool.annotations),
      requiresApproval: override.requiresApproval ?? false,
      run: (args, context) => callTool(connection, tool, args, context),
    });
    // The model reads the server's own schema; zod checks what it can express.
    return { ...defined, parameters: withRationale(input.json) };
  } catch (error) {
    throw configError(server, `tool "${tool.name}" cannot be used: ${errorMessage(error)}`);
  }
}

/** The allowed tools of one server; overrides naming tools the server lacks are an error. */
function toolsOf(connection: McpConnection, logger: Logger): Tool[] {
  const { server, tools } = connection;
  const overrides = server.tools ?? {};
  const names = tools.map((tool) => tool.name);
  const unknown = Object.keys(overrides).filter((name) => !names.includes(name));
  if (unknown.length > 0)
    throw configError(
      server,
      `"tools" names ${unknown.map((name) => `"${name}"`).join(", ")}, which the server does not have; its tools: ${names.join(", ") || "none"}`,
      { unknown, available: names },
    );
  return tools
    .filter((tool) => overrides[tool.name]?.allow !== false)
    .filter((tool) => {
      const needsTasks = tool.execution?.taskSupport === "required";
      if (needsTasks) logger.warn({ server: server.name, tool: tool.name }, "skipped: needs tasks");
      return !needsTasks;
    })
    .map((tool) => toSignalboxTool(connection, tool, overrides[tool.name] ?? {}, logger));
}

/** One registry for all servers; two servers giving the same tool name is an error naming both. */
function registryOf(perServer: readonly { server: McpServerConfig; tools: Tool[] }[]) {
  const registry = new ToolRegistry();
  const origin = new Map<string, string>();
  for (const { server, tools } of perServer) {
    for (const tool of tools) {
      const first = origin.get(tool.name);
      if (first !== undefined)
        throw configError(
          server,
          `its tool name "${tool.name}" clashes with one of server "${first}"; give one of them a different "prefix"`,
        );
      origin.set(tool.name, server.name);
      registry.register(tool);
    }
  }
  return registry;
}

async function connectAll(
  servers: readonly McpServerConfig[],
  options: { logger: Logger; connectTimeoutMs: number },
): Promise<McpConnection[]> {
  const settled = await Promise.allSettled(
    servers.map((server) => connectMcpServer(server, options)),
  );
  const connections = settled.flatMap((entry) =>
    entry.status === "fulfilled" ? [entry.value] : [],
  );
  const failure = settled.find((entry) => entry.status === "rejected");
  if (failure === undefined) return connections;
  await Promise.allSettled(connections.map((connection) => connection.close()));
  throw failure.reason;
}

/**
 * Connects to every configured MCP server (starting stdio ones) and turns each
 * of its tools into a signalbox {@link Tool} named `<server>__<tool>`: input
 * schema converted to zod, effect class from the tool's annotations
 * (`readOnlyHint` → read, `destructiveHint` → irreversible, else write) unless
 * overridden, `requiresApproval` from the configuration. An error result or a
 * failed call goes back to the model as an error result. Close the toolset
 * when done.
 *
 * @throws SignalboxError CONFIG_INVALID naming the server and field (bad
 *   configuration), or the server and the failure (unreachable: retryable)
 * @example
 * ```ts
 * const mcp = await loadMcpTools({
 *   servers: [{ name: "tiny", command: "node", args: ["tiny-server.js"] }],
 * });
 * const desk = defineWorkflow({
 *   name: "weather_desk",
 *   description: "Answers weather questions",
 *   version: "1",
 *   input: z.object({ question: z.string() }),
 *   output: z.object({ reply: z.string() }),
 * })
 *   .agent("assist", {
 *     instructions: "You answer questions about the weather.",
 *     tools: ["tiny__lookup_weather"],
 *     registry: mcp.registry,
 *     prompt: (state) => state.input.question,
 *     result: (_state, answer) => ({ output: { reply: answer } }),
 *   })
 *   .compile();
 * // … run it; when done:
 * await mcp.close();
 * ```
 */
export async function loadMcpTools(
  config: McpServersConfig,
  options: LoadMcpToolsOptions = {},
): Promise<McpToolset> {
  const { servers } = parseMcpServersConfig(config);
  const logger = options.logger ?? pino({ level: "silent" });
  const connections = await connectAll(servers, {
    logger,
    connectTimeoutMs: options.connectTimeoutMs ?? 30_000,
  });
  let closed: Promise<unknown> | undefined;
  const close = async () => {
    closed ??= Promise.allSettled(connections.map((connection) => connection.close()));
    await closed;
  };
  try {
    const perServer = connections.map((connection) => ({
      server: connection.server,
      tools: toolsOf(connection, logger),
    }));
    const registry = registryOf(perServer);
    const names = servers.map((server) => server.name);
    return { tools: registry.list(), registry, servers: names, close };
  } catch (error) {
    await close();
    throw error;
  }
}
