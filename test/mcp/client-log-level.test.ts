import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import {
  type CallToolResult,
  type LoggingMessageNotification,
  LoggingMessageNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import type { RunResult } from "../../src/analytics/run-result.ts";
import { createMcpServer } from "../../src/mcp/create-mcp-server.ts";
import type { Runtime } from "../../src/runtime/runtime.ts";
import { openTestRuntime, tempHome } from "../support/runtime.ts";
import { broken, lookup } from "./fixture-workflows.ts";

// Log notifications go only to a session that asked with logging/setLevel, at or above
// its level (docs/decisions/2026-11-30-mcp-logs-after-set-level.md): SDK clients over
// an in-memory transport, each session its own server over one runtime.
type LogParams = LoggingMessageNotification["params"];

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

function openRuntime(): Runtime {
  const { home, cleanup } = tempHome("signalbox-mcp-logs-");
  const { runtime } = openTestRuntime(home, [lookup, broken]);
  cleanups.push(cleanup, () => runtime.close());
  return runtime;
}

/** A session: its own server over the runtime, and a client recording every log notification. */
async function session(runtime: Runtime) {
  const server = createMcpServer(runtime);
  const client = new Client({ name: "logs", version: "1.0.0" });
  const logs: LogParams[] = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
    logs.push(notification.params);
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  cleanups.push(() => client.close());
  /** Calls a tool; the ping after it comes back once every notification sent before has been handled. */
  const call = async (name: string, args: Record<string, unknown>) => {
    const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
    await client.ping();
    return result.structuredContent as RunResult;
  };
  return { client, logs, call };
}

/** What the tests compare: level, then the event and its run. */
const shape = (logs: readonly LogParams[]) =>
  logs.map((entry) => {
    const data = entry.data as { event: string; runId: string; status?: string };
    return [entry.level, entry.logger, data.event, data.runId, data.status];
  });

describe("log notifications", () => {
  it("sends none to a session that never set a level, though its runs start, fail and end", async () => {
    const { logs, call } = await session(openRuntime());
    const succeeded = await call("lookup", { key: "a" });
    const failed = await call("broken", {});
    expect([succeeded.status, failed.status]).toEqual(["succeeded", "failed"]);
    expect(logs).toEqual([]);
  });

  it("sends a run's start and end, in order, once the session set info; not to another session", async () => {
    const runtime = openRuntime();
    const asked = await session(runtime);
    const silent = await session(runtime);
    await asked.client.setLoggingLevel("info");
    const run = await asked.call("lookup", { key: "a" });
    await silent.call("lookup", { key: "b" });
    expect(shape(asked.logs)).toEqual([
      ["info", "signalbox", "run-start", run.runId, undefined],
      ["info", "signalbox", "run-end", run.runId, "succeeded"],
    ]);
    expect(silent.logs).toEqual([]);
  });

  it("sends only messages at or above the level set: at error, a failed run's end and nothing of a succeeded run", async () => {
    const { client, logs, call } = await session(openRuntime());
    await client.setLoggingLevel("error");
    await call("lookup", { key: "a" });
    const failed = await call("broken", {});
    expect(shape(logs)).toEqual([["error", "signalbox", "run-end", failed.runId, "failed"]]);

    await client.setLoggingLevel("warning");
    const again = await call("broken", {});
    expect(shape(logs).slice(1)).toEqual([
      ["warning", "signalbox", "node-end", again.runId, undefined],
      ["error", "signalbox", "run-end", again.runId, "failed"],
    ]);
  });
});
