import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type { ServerNotification, ServerRequest } from "@modelcontextprotocol/sdk/types.js";
import type { Logger } from "pino";
import type { Runtime } from "../runtime/runtime.ts";
import type { ClientLogLevel } from "./client-log-level.ts";
import type { RunTaskStore } from "./run-task-store.ts";

/** What every MCP handler needs: the runtime it adapts, the session's server, and the logger. */
export interface McpContext {
  readonly runtime: Runtime;
  readonly server: McpServer;
  readonly logger: Logger;
  /** The log level the session asked for; no log notifications before it asks. */
  readonly clientLog: ClientLogLevel;
  /** The session's task store (tasks are runs). */
  readonly tasks: RunTaskStore;
}

/** The per-request extras the SDK hands a tool or resource handler. */
export type RequestExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** Who a decision made through this session is attributed to, e.g. `mcp:claude-code`. */
export function clientLabel(context: McpContext): string {
  const client = context.server.server.getClientVersion();
  return `mcp:${client?.name ?? "client"}`;
}
