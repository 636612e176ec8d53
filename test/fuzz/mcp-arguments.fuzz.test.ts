import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMcpServer } from "../../src/mcp/create-mcp-server.ts";
import type { Runtime } from "../../src/runtime/runtime.ts";
import { openTestRuntime, tempHome } from "../support/runtime.ts";
import { anyJson, fuzzSettings } from "./fuzz-settings.ts";
import { FUZZ_FIELDS, fuzzWorkflow } from "./fuzz-workflow.ts";

const temp = tempHome("signalbox-fuzz-mcp-");
let runtime: Runtime;
let client: Client;

beforeAll(async () => {
  ({ runtime } = openTestRuntime(temp.home, [fuzzWorkflow]));
  const server = createMcpServer(runtime);
  client = new Client({ name: "fuzz", version: "1.0.0" });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
});
afterAll(async () => {
  await client.close();
  await runtime.close();
  temp.cleanup();
});

const text = (result: CallToolResult) =>
  result.content.map((part) => (part.type === "text" ? part.text : "")).join("\n");

const args = fc.dictionary(
  fc.oneof(fc.constantFrom(...FUZZ_FIELDS), fc.string({ maxLength: 12 })),
  fc.oneof(anyJson, fc.constantFrom("a", "b"), fc.integer({ min: -2, max: 12 })),
  { maxKeys: 5 },
);

describe("MCP tools/call arguments (fuzz)", () => {
  it("a workflow tool either runs or answers an error result naming the field; nothing stored for rejections", async () => {
    await fc.assert(
      fc.asyncProperty(args, async (argumentsValue) => {
        const before = (await runtime.list({ limit: 100_000 })).length;
        const result = (await client.callTool({
          name: "fuzz_echo",
          arguments: argumentsValue,
        })) as CallToolResult;
        const after = (await runtime.list({ limit: 100_000 })).length;
        if (!result.isError) {
          expect(after).toBe(before + 1);
          return;
        }
        expect(after).toBe(before);
        const body = text(result);
        const named =
          FUZZ_FIELDS.some((field) => body.includes(field)) || /Unrecognized key|root/.test(body);
        expect(named, body).toBe(true);
      }),
      fuzzSettings(),
    );
    // Still answering afterwards.
    expect((await client.listTools()).tools.some((tool) => tool.name === "fuzz_echo")).toBe(true);
  });

  it("run tools refuse junk run ids and arguments without throwing", async () => {
    const junk = fc.record(
      { runId: fc.oneof(fc.string({ maxLength: 300 }), anyJson) },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(
        junk,
        fc.constantFrom("get_run", "approve_run", "cancel_run"),
        async (value, tool) => {
          const result = (await client.callTool({
            name: tool,
            arguments: value,
          })) as CallToolResult;
          expect(result.isError, text(result)).toBe(true);
          expect(text(result)).toMatch(/runId|RUN_NOT_FOUND|no run/);
        },
      ),
      fuzzSettings(Math.max(50, Math.floor(fuzzSettings().numRuns / 2))),
    );
  });
});
