import type { Readable } from "node:stream";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Tool as McpToolInfo } from "@modelcontextprotocol/sdk/types.js";
import type { Logger } from "pino";
import packageJson from "../../package.json" with { type: "json" };
import { ErrorCode, errorMessage, SignalboxError } from "../errors.ts";
import type { McpServerConfig } from "./mcp-config.ts";

/** How much of a stdio server's stderr is kept for error messages. */
const STDERR_TAIL_CHARS = 2000;

/** A connected MCP server: its client and the tools it listed. */
export interface McpConnection {
  readonly server: McpServerConfig;
  readonly client: Client;
  readonly tools: readonly McpToolInfo[];
  /** e.g. `stdio: node server.js` or `http: http://127.0.0.1:8765/mcp`. */
  readonly endpoint: string;
  /** The end of what a stdio server wrote to stderr (empty for HTTP). */
  stderr(): string;
  close(): Promise<void>;
}

/** How {@link connectMcpServer} connects. */
export interface ConnectOptions {
  readonly logger: Logger;
  /** Most time the handshake and the tool list may take (ms). */
  readonly connectTimeoutMs: number;
}

/** What a server entry points at, for messages. */
export function endpointOf(server: McpServerConfig): string {
  if ("url" in server) return `http: ${server.url}`;
  return `stdio: ${[server.command, ...(server.args ?? [])].join(" ")}`;
}

/** The message of an error and of its cause (fetch hides ECONNREFUSED in `cause`). */
function describeFailure(error: unknown): string {
  const message = errorMessage(error);
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause === undefined) return message;
  const detail = errorMessage(cause);
  return detail === "" || message.includes(detail) ? message : `${message} (${detail})`;
}

/** Keeps the tail of a stdio server's stderr, and logs each chunk at debug. */
function collectStderr(stream: Readable | null, server: string, logger: Logger): () => string {
  let tail = "";
  stream?.setEncoding("utf8").on("data", (chunk: string) => {
    tail = `${tail}${chunk}`.slice(-STDERR_TAIL_CHARS);
    logger.debug({ server, stderr: chunk.trimEnd() }, "MCP server stderr");
  });
  return () => tail.trim();
}

function createTransport(server: McpServerConfig) {
  if ("url" in server)
    return new StreamableHTTPClientTransport(new URL(server.url), {
      requestInit: { headers: server.headers ?? {} },
    });
  return new StdioClientTransport({
    command: server.command,
    args: server.args ?? [],
    env: server.env,
    cwd: server.cwd,
    stderr: "pipe",
  });
}

async function listAllTools(client: Client, timeout: number): Promise<McpToolInfo[]> {
  const tools: McpToolInfo[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor === undefined ? {} : { cursor }, { timeout });
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return tools;
}

/** Ends an HTTP session politely (so the server frees it), then closes the transport. */
async function closeClient(client: Client, transport: ReturnType<typeof createTransport>) {
  if (transport instanceof StreamableHTTPClientTransport && transport.sessionId !== undefined)
    await transport.terminateSession().catch(() => undefined);
  await client.close();
}

/**
 * Connects to one MCP server (starting it, for stdio) and lists its tools.
 *
 * @throws SignalboxError CONFIG_INVALID (retryable) naming the server, what it
 *   points at, the failure, and for stdio the end of the server's stderr
 */
export async function connectMcpServer(
  server: McpServerConfig,
  options: ConnectOptions,
): Promise<McpConnection> {
  const transport = createTransport(server);
  const stderr = collectStderr(
    transport instanceof StdioClientTransport ? (transport.stderr as Readable | null) : null,
    server.name,
    options.logger,
  );
  const client = new Client({ name: "signalbox", version: packageJson.version });
  const close = () => closeClient(client, transport);
  try {
    await client.connect(transport, { timeout: options.connectTimeoutMs });
    const tools = await listAllTools(client, options.connectTimeoutMs);
    return { server, client, tools, endpoint: endpointOf(server), stderr, close };
  } catch (error) {
    await close().catch(() => undefined);
    const output = stderr();
    throw new SignalboxError(
      ErrorCode.ConfigInvalid,
      `MCP server "${server.name}" (${endpointOf(server)}) could not be reached: ${describeFailure(error)}${output ? `; its stderr ends with: ${output}` : ""}`,
      {
        retryable: true,
        cause: error,
        data: { server: server.name, endpoint: endpointOf(server) },
      },
    );
  }
}
