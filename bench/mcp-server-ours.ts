/**
 * Ours, for bench/mcp-latency.ts: the echo workflow served by our MCP server
 * (`createMcpServer` over a `Runtime` on a temp SQLite run store), exactly as
 * `signalbox mcp` / `signalbox serve` serve the shipped workflows.
 *
 *   node --import tsx bench/mcp-server-ours.ts [--synchronous=NORMAL] [--http]
 *
 * `--http` serves Streamable HTTP on a free port (printing the URL), else
 * stdio. Exits when stdin ends.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serveStdio } from "../src/mcp/serve-stdio.ts";
import { WorkflowRegistry } from "../src/runtime/registry.ts";
import { Runtime } from "../src/runtime/runtime.ts";
import { startHttpServer } from "../src/server/http-server.ts";
import { SqliteRunStore } from "../src/store/sqlite-store.ts";
import { echoWorkflow, untilStdinEnds } from "./mcp-echo-workflow.ts";

const scratch = mkdtempSync(join(tmpdir(), "signalbox-bench-ours-"));
const synchronous = process.argv.includes("--synchronous=NORMAL") ? "NORMAL" : "FULL";
const runtime = new Runtime({
  store: new SqliteRunStore(join(scratch, "signalbox.db"), { synchronous }),
  workflows: new WorkflowRegistry([echoWorkflow()]),
});

if (process.argv.includes("--http")) {
  const server = await startHttpServer(runtime, { port: 0 });
  process.stdout.write(`listening ${server.url}\n`);
  await untilStdinEnds();
  await server.close();
} else {
  // serveStdio resolves when stdin ends.
  await serveStdio(runtime, { stdin: process.stdin, stdout: process.stdout });
}
await runtime.close();
rmSync(scratch, { recursive: true, force: true });
process.exit(0);
