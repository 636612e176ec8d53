import type { Readable, Writable } from "node:stream";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { Runtime } from "../runtime/runtime.ts";
import { createMcpServer } from "./create-mcp-server.ts";

/** The streams of the stdio transport: stdout carries the protocol, so log elsewhere. */
export interface StdioStreams {
  readonly stdin: Readable;
  readonly stdout: Writable;
}

/**
 * Serves the runtime's workflows over MCP stdio until stdin ends (the client
 * went away) or stdout breaks; resolves then, with the server closed.
 */
export async function serveStdio(runtime: Runtime, streams: StdioStreams): Promise<void> {
  const server = createMcpServer(runtime);
  const transport = new StdioServerTransport(streams.stdin, streams.stdout);
  const ended = new Promise<void>((resolve) => {
    streams.stdin.once("end", resolve);
    streams.stdin.once("close", resolve);
    streams.stdout.once("error", (error) => {
      runtime.logger.warn({ error: String(error) }, "stdout closed; stopping the MCP server");
      resolve();
    });
    transport.onclose = resolve;
  });
  await server.connect(transport);
  runtime.logger.info({ workflows: runtime.workflows.names() }, "MCP server on stdio");
  await ended;
  await server.close();
}
