import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  type LoggingLevel,
  LoggingLevelSchema,
  type LoggingMessageNotification,
  SetLevelRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";

/** Severity by level, lowest first, as the MCP spec (RFC 5424) orders them. */
const SEVERITY: ReadonlyMap<LoggingLevel, number> = new Map(
  LoggingLevelSchema.options.map((level, index) => [level, index]),
);

/**
 * The log level one MCP session asked for with `logging/setLevel`. Until it asks, the
 * session gets no log notifications at all: a run's log messages are for clients that
 * show them, and sending them to every client cost a notification (serialised and
 * written to the transport) per run event (issue 12; see
 * docs/decisions/2026-11-30-mcp-logs-after-set-level.md). Progress is separate: it
 * goes to calls that sent a progress token.
 */
export class ClientLogLevel {
  private level: LoggingLevel | undefined;

  /** Takes over the server's `logging/setLevel` handler (the SDK's sends every level before one is set). */
  constructor(private readonly server: Server) {
    server.setRequestHandler(SetLevelRequestSchema, (request) => {
      this.level = request.params.level;
      return {};
    });
  }

  /** Whether the session asked for messages of this level: it set a level at or below it. */
  wants(level: LoggingLevel): boolean {
    if (this.level === undefined) return false;
    return (SEVERITY.get(level) ?? 0) >= (SEVERITY.get(this.level) ?? 0);
  }

  /** Sends the message if the session asked for its level; resolves at once otherwise. */
  async send(params: LoggingMessageNotification["params"], sessionId?: string): Promise<void> {
    if (this.wants(params.level)) await this.server.sendLoggingMessage(params, sessionId);
  }
}
