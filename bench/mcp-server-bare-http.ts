/**
 * The bare baseline of the `serve` benches (issue 12): the MCP SDK's Streamable HTTP
 * server (one transport and `McpServer` per session, as the SDK examples do) on
 * node:http, serving one tool that runs a one-node LangGraph graph checkpointed in
 * SqliteSaver. It imports nothing of signalbox (bench/mcp-server-bare.ts serves our
 * compiled echo workflow, which loads our graph module), so its memory is the libraries'.
 *
 *   node <bundle of this file>   (bench/serve-process.ts bundles it with esbuild)
 *
 * Prints `listening <url>`; exits when stdin ends.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Annotation, END, START, StateGraph } from "@langchain/langgraph";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import Database from "better-sqlite3";
import { z } from "zod";

const scratch = mkdtempSync(join(tmpdir(), "signalbox-bench-bare-http-"));
const database = new Database(join(scratch, "checkpoints.db"));
database.pragma("journal_mode = WAL");
const State = Annotation.Root({
  text: Annotation<string>(),
  length: Annotation<number>(),
});
const graph = new StateGraph(State)
  .addNode("measure", (state) => ({ length: state.text.length }))
  .addEdge(START, "measure")
  .addEdge("measure", END)
  .compile({ checkpointer: new SqliteSaver(database) });

function createMcpServer(): McpServer {
  const server = new McpServer({ name: "bare", version: "1.0.0" });
  server.registerTool(
    "echo",
    {
      description: "One pure step: returns the length of the text",
      inputSchema: { text: z.string() },
      outputSchema: { length: z.number() },
    },
    async ({ text }) => {
      const state = await graph.invoke({ text }, { configurable: { thread_id: randomUUID() } });
      const result = { length: state.length };
      return {
        content: [{ type: "text", text: JSON.stringify(result) }],
        structuredContent: result,
      };
    },
  );
  return server;
}

const transports = new Map<string, StreamableHTTPServerTransport>();
const http = createServer(async (request, response) => {
  const id = request.headers["mcp-session-id"];
  let transport = typeof id === "string" ? transports.get(id) : undefined;
  if (transport === undefined) {
    const created = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (sessionId) => {
        transports.set(sessionId, created);
      },
    });
    created.onclose = () => {
      if (created.sessionId !== undefined) transports.delete(created.sessionId);
    };
    await createMcpServer().connect(created);
    transport = created;
  }
  await transport.handleRequest(request, response);
});
await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
process.stdout.write(`listening http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp\n`);
await new Promise((resolve) => {
  process.stdin.once("end", resolve);
  process.stdin.once("close", resolve);
  process.stdin.resume();
});
await Promise.allSettled([...transports.values()].map((transport) => transport.close()));
http.closeAllConnections();
http.close();
database.close();
rmSync(scratch, { recursive: true, force: true });
process.exit(0);
