import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { CallToolResultSchema, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import { callWithProgress, ProgressWire } from "./mcp-clients.ts";

// Issue #11, item 10: under load the last progress notification of a call and its result
// arrive in one read (one stdio chunk, one SSE chunk). This delivers them exactly so.

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** Holds incoming messages until a response arrives, then hands them all over in one go. */
function deliverInOneChunk(transport: Transport): void {
  const dispatch = transport.onmessage;
  let held: JSONRPCMessage[] = [];
  transport.onmessage = (message, extra) => {
    held.push(message);
    if (!("id" in message) || !("result" in message || "error" in message)) return;
    const chunk = held;
    held = [];
    for (const each of chunk) dispatch?.(each, extra);
  };
}

async function connect() {
  const server = new McpServer({ name: "progress", version: "1.0.0" });
  server.registerTool("steps", { description: "reports three steps" }, async (extra) => {
    const token = extra._meta?.progressToken;
    for (const [index, step] of ["one", "two", "three"].entries()) {
      if (token === undefined) continue;
      await extra.sendNotification({
        method: "notifications/progress",
        params: { progressToken: token, progress: index + 1, message: step },
      });
    }
    return { content: [{ type: "text", text: "done" }] };
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: "chunked", version: "1.0.0" });
  await client.connect(clientSide);
  closers.push(
    () => client.close(),
    () => server.close(),
  );
  return { client, transport: clientSide };
}

describe("progress notifications that arrive in the same chunk as the result", () => {
  it("are lost to the SDK's onprogress (why the stdio test was flaky)", async () => {
    const { client, transport } = await connect();
    deliverInOneChunk(transport);
    const seen: string[] = [];
    await client.callTool({ name: "steps", arguments: {} }, CallToolResultSchema, {
      onprogress: (update) => seen.push(update.message ?? ""),
    });
    expect(seen).not.toEqual(["one", "two", "three"]);
  });

  it("are all collected by callWithProgress, which reads them off the wire", async () => {
    const { client, transport } = await connect();
    const progress = new ProgressWire();
    progress.attach(transport);
    deliverInOneChunk(transport);
    const { progress: messages } = await callWithProgress({ client, progress }, "steps", {});
    expect(messages).toEqual(["one", "two", "three"]);
  });
});
