/**
 * The baseline for bench/mcp-latency.ts: the bare MCP SDK (`McpServer` +
 * `registerTool`) running the echo workflow's compiled LangGraph graph
 * directly, with no signalbox runtime (no run store, no decision log, no lease).
 *
 *   node --import tsx bench/mcp-server-bare.ts [--sqlite] [--http]
 *
 * `--sqlite` checkpoints in SqliteSaver on a temp file (WAL, synchronous=NORMAL,
 * as our store sets it); without it the graph has no checkpointer. `--http`
 * serves Streamable HTTP on a free port (printing the URL), else stdio. Exits
 * when stdin ends.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import Database from "better-sqlite3";
import { contextValue, detachedContext } from "../src/graph/run-context.ts";
import {
  ECHO_TOOL,
  EchoInput,
  EchoOutput,
  echoWorkflow,
  untilStdinEnds,
} from "./mcp-echo-workflow.ts";

const scratch = mkdtempSync(join(tmpdir(), "signalbox-bench-bare-"));
const workflow = echoWorkflow();
let database: Database.Database | undefined;
if (process.argv.includes("--sqlite")) {
  database = new Database(join(scratch, "checkpoints.db"));
  database.pragma("journal_mode = WAL");
  database.pragma("synchronous = NORMAL");
}
const graph = workflow.graph(database ? new SqliteSaver(database) : undefined);

function createMcpServer(): McpServer {
  const server = new McpServer({ name: "bare", version: "1.0.0" });
  server.registerTool(
    ECHO_TOOL,
    {
      description: workflow.description,
      inputSchema: EchoInput,
      outputSchema: { output: EchoOutput },
    },
    async (args) => {
      const runId = randomUUID();
      const state = await graph.invoke(
        { input: args },
        {
          configurable: { thread_id: runId },
          context: contextValue(detachedContext(runId)),
          recursionLimit: workflow.maxSteps,
        },
      );
      const result = { output: EchoOutput.parse(state.output) };
      return {
        content: [{ type: "text", text: JSON.stringify(result) }],
        structuredContent: result,
      };
    },
  );
  return server;
}

/** One transport (and server) per session, as the SDK examples do. */
async function serveHttp(): Promise<() => Promise<void>> {
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
      await createMcpServer().connect(created);
      transport = created;
    }
    await transport.handleRequest(request, response);
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  process.stdout.write(`listening http://127.0.0.1:${port}/mcp\n`);
  return async () => {
    await Promise.allSettled([...transports.values()].map((transport) => transport.close()));
    http.closeAllConnections();
    http.close();
  };
}

const stop = process.argv.includes("--http")
  ? await serveHttp()
  : await createMcpServer()
      .connect(new StdioServerTransport())
      .then(() => async () => {});
await untilStdinEnds();
await stop();
database?.close();
rmSync(scratch, { recursive: true, force: true });
process.exit(0);
