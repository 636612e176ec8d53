import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunResult } from "../../src/analytics/run-result.ts";
import { createMcpServer } from "../../src/mcp/create-mcp-server.ts";
import type { Runtime } from "../../src/runtime/runtime.ts";
import { SupportData } from "../../src/workflows/support-triage/support-data.ts";
import { createSupportTriage } from "../../src/workflows/support-triage/workflow.ts";
import { openTestRuntime, tempHome } from "../support/runtime.ts";
import { textOf } from "./mcp-clients.ts";

// The narrative in tool results and the correct_decision run tool, through a real MCP client.
let client: Client;
let runtime: Runtime;
const closers: (() => unknown)[] = [];

beforeAll(async () => {
  const { home, cleanup } = tempHome("signalbox-mcp-correct-");
  const data = new SupportData(join(home, "support.db"));
  ({ runtime } = openTestRuntime(home, [createSupportTriage({ data }) as never]));
  const server = createMcpServer(runtime);
  client = new Client({ name: "reviewer-app", version: "1.0.0" });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  closers.push(
    () => client.close(),
    () => runtime.close(),
    () => data.close(),
    cleanup,
  );
});
afterAll(async () => {
  for (const close of closers) await close();
});

const call = async (name: string, args: Record<string, unknown>) =>
  (await client.callTool({ name, arguments: args })) as CallToolResult;

/** Runs support_triage for customer C-1003 and gives the run's id. */
const triageRun = async (message: string) =>
  ((await call("support_triage", { customerId: "C-1003", message })).structuredContent as RunResult)
    .runId;

describe("MCP: narratives and corrections", () => {
  it("returns the run's narrative with a workflow tool's result, in structured content and text", async () => {
    const result = await call("support_triage", {
      customerId: "C-9999",
      message: "Where is my order?",
    });
    const run = result.structuredContent as RunResult;
    expect(run.narrative).toMatch(
      /^Run \S+ of support_triage@2\.0\.0 succeeded\. At classify_intent rule "unknown_customer" sent it to escalate_to_human/,
    );
    expect(textOf(result)).toContain(`why: ${run.narrative}`);
  });

  it("correct_decision records a human decision linked to the original, named after the client", async () => {
    const runId = await triageRun("I need a receipt for my accountant");
    const corrected = await call("correct_decision", {
      runId,
      node: "classify_intent",
      branch: "billing_question",
      note: "a receipt is billing",
    });
    expect(corrected.isError).toBeFalsy();
    const run = corrected.structuredContent as RunResult;
    expect(run.narrative).toContain("A reviewer later said it should have been billing_question");
    const decisions = await runtime.store.listDecisions({ runId, decidedBy: "human" });
    expect(decisions).toHaveLength(1);
    expect(decisions[0]?.reason).toMatch(
      /^corrected by mcp:reviewer-app from \w+: a receipt is billing$/,
    );
    const original = (await runtime.store.listDecisions({ runId, node: "classify_intent" }))[0];
    expect(decisions[0]?.corrects).toBe(original?.key);
  });

  it("answers a bad correction with a tool error naming the field", async () => {
    const runId = await triageRun("How do I download my invoice?");
    const wrong = await call("correct_decision", {
      runId,
      node: "classify_intent",
      branch: "pizza",
    });
    expect(wrong.isError).toBe(true);
    expect(textOf(wrong)).toMatch(
      /^INPUT_INVALID: branch: "pizza" is not a branch of classify_intent/,
    );
    const missing = await call("correct_decision", {
      runId: "nope",
      node: "classify_intent",
      branch: "refund",
    });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toMatch(/^RUN_NOT_FOUND/);
  });
});
