import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import type { Logger } from "pino";
import { sendJsonRpcError } from "./http-responses.ts";

/** Options for {@link McpSessions}. */
export interface McpSessionsOptions {
  /** Builds the MCP server for a new session (all over the same runtime). */
  readonly createServer: () => McpServer;
  readonly logger: Logger;
  /** Refuse new sessions past this many open ones (503). */
  readonly maxSessions: number;
  /** Close a session nobody has used for this long (ms) and that has no request open. Default 30 min. */
  readonly idleTimeoutMs?: number;
}

interface SessionUse {
  lastSeen: number;
  open: number;
}

const isInitialize = (body: unknown) =>
  Array.isArray(body)
    ? body.some((message) => isInitializeRequest(message))
    : isInitializeRequest(body);

/**
 * Streamable HTTP sessions: one transport and one MCP server per session, found
 * by the `Mcp-Session-Id` header. Unknown or terminated session ids get 404, as
 * the spec asks, so clients start a new session.
 */
export class McpSessions {
  private readonly transports = new Map<string, StreamableHTTPServerTransport>();
  private readonly use = new Map<string, SessionUse>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly idleTimeoutMs: number;

  constructor(private readonly options: McpSessionsOptions) {
    // Clients that vanish without DELETE would otherwise keep their session forever.
    this.idleTimeoutMs = options.idleTimeoutMs ?? 30 * 60_000;
    this.sweeper = setInterval(() => this.closeIdle(), Math.max(25, this.idleTimeoutMs / 4));
    this.sweeper.unref();
  }

  /** How many sessions are open. */
  get size(): number {
    return this.transports.size;
  }

  /** Handles one request to the MCP endpoint; `body` is the parsed JSON of a POST. */
  async handle(request: IncomingMessage, response: ServerResponse, body?: unknown): Promise<void> {
    const header = request.headers["mcp-session-id"];
    const sessionId = Array.isArray(header) ? header[0] : header;
    if (sessionId !== undefined) {
      const transport = this.transports.get(sessionId);
      if (transport === undefined)
        return sendJsonRpcError(
          response,
          404,
          -32001,
          `Session not found: ${sessionId} is unknown or terminated; initialize a new session`,
        );
      return this.track(sessionId, response, () =>
        transport.handleRequest(request, response, body),
      );
    }
    if (request.method !== "POST" || !isInitialize(body))
      return sendJsonRpcError(
        response,
        400,
        -32000,
        "Bad Request: no Mcp-Session-Id header; send an initialize request first",
      );
    if (this.transports.size >= this.options.maxSessions)
      return sendJsonRpcError(
        response,
        503,
        -32000,
        `too many open sessions (${this.options.maxSessions}); close some and retry`,
      );
    const transport = await this.open();
    return transport.handleRequest(request, response, body);
  }

  /** Closes every session (their in-flight requests end). */
  async closeAll(): Promise<void> {
    clearInterval(this.sweeper);
    const open = [...this.transports.values()];
    this.transports.clear();
    await Promise.allSettled(open.map((transport) => transport.close()));
  }

  /** Counts a request as open until its response ends, and marks the session as used. */
  private async track(
    sessionId: string,
    response: ServerResponse,
    work: () => Promise<void>,
  ): Promise<void> {
    const use = this.use.get(sessionId) ?? { lastSeen: Date.now(), open: 0 };
    this.use.set(sessionId, use);
    use.open += 1;
    response.once("close", () => {
      use.open -= 1;
      use.lastSeen = Date.now();
    });
    use.lastSeen = Date.now();
    await work();
  }

  private closeIdle(): void {
    const cutoff = Date.now() - this.idleTimeoutMs;
    for (const [id, transport] of this.transports) {
      const use = this.use.get(id);
      if (use !== undefined && (use.open > 0 || use.lastSeen > cutoff)) continue;
      if (use === undefined) {
        this.use.set(id, { lastSeen: Date.now(), open: 0 });
        continue;
      }
      this.options.logger.info({ sessionId: id }, "MCP session closed after being idle");
      this.transports.delete(id);
      this.use.delete(id);
      transport.close().catch(() => {});
    }
  }

  private async open(): Promise<StreamableHTTPServerTransport> {
    const { logger } = this.options;
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (id) => {
        this.transports.set(id, transport);
        logger.info({ sessionId: id, sessions: this.transports.size }, "MCP session opened");
      },
    });
    transport.onclose = () => {
      const id = transport.sessionId;
      if (id !== undefined) this.use.delete(id);
      if (id !== undefined && this.transports.delete(id))
        logger.info({ sessionId: id, sessions: this.transports.size }, "MCP session closed");
    };
    transport.onerror = (error) => logger.debug({ error: error.message }, "MCP transport error");
    await this.options.createServer().connect(transport);
    return transport;
  }
}
