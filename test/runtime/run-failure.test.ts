import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import type { RunResult } from "../../src/analytics/run-result.ts";
import { ErrorCode, SignalboxError } from "../../src/errors.ts";
import { defineWorkflow } from "../../src/graph/workflow.ts";
import { createMcpServer } from "../../src/mcp/create-mcp-server.ts";
import { runCliCaptured } from "../support/cli.ts";
import { openTestRuntime, tempHome } from "../support/runtime.ts";

// Issue 11: a failed run's error is a structured record through storage, the CLI and MCP.

class PaymentError extends Error {
  readonly code = "CARD_DECLINED";
  override readonly name = "PaymentError";
}

const pay = defineWorkflow({
  name: "pay",
  description: "charges, then fails in a later step",
  version: "1",
  input: z.object({ how: z.enum(["plain", "signalbox", "loop", "slow"]) }),
  output: z.object({ ok: z.boolean() }),
  maxSteps: 6,
})
  .step("charge", {
    effect: "write",
    run: () => ({}),
    undo: async () => undefined,
    next: "settle",
  })
  .step("settle", {
    timeoutMs: 40,
    run: async (state) => {
      if (state.input.how === "plain") throw new PaymentError("card declined by the bank");
      if (state.input.how === "signalbox")
        throw new SignalboxError(ErrorCode.ModelUnavailable, "no model answered", {
          data: { provider: "local", attempts: 3 },
        });
      if (state.input.how === "slow") await new Promise((resolve) => setTimeout(resolve, 2_000));
      return {};
    },
    next: "again",
  })
  .route("again", {
    branches: { again: { description: "loop", to: "again" } },
    decider: null,
    defaultBranch: "again",
  })
  .compile();

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function open() {
  const { home, cleanup } = tempHome("signalbox-failure-");
  const { runtime } = openTestRuntime(home, [pay]);
  cleanups.push(cleanup, () => runtime.close());
  return { home, runtime };
}

describe("a failed run's structured error", () => {
  it("keeps a step's error name and own code, and the node it was raised in", async () => {
    const { runtime } = open();
    const run = await runtime.start("pay", { how: "plain" });
    expect(run.status).toBe("compensated");
    expect(run.failure).toEqual({
      code: "STEP_FAILED",
      message: "card declined by the bank",
      node: "settle",
      details: { name: "PaymentError", code: "CARD_DECLINED" },
    });
    expect((await runtime.get(run.id)).run.failure).toEqual(run.failure);
  });

  it("keeps signalbox's own code and data", async () => {
    const { runtime } = open();
    const run = await runtime.start("pay", { how: "signalbox" });
    expect(run.failure).toEqual({
      code: "MODEL_UNAVAILABLE",
      message: "no model answered",
      node: "settle",
      details: { provider: "local", attempts: 3 },
    });
    expect(run.error).toBe("MODEL_UNAVAILABLE: no model answered");
  });

  it("names the step limit and a timed-out node", async () => {
    const { runtime } = open();
    const looped = await runtime.start("pay", { how: "loop" });
    expect(looped.failure).toMatchObject({ code: "STEP_LIMIT", details: { maxSteps: 6 } });
    const slow = await runtime.start("pay", { how: "slow" });
    expect(slow.failure).toMatchObject({ code: "STEP_FAILED", node: "settle" });
    expect(slow.failure?.details).toMatchObject({ name: "NodeTimeoutError", timeoutMs: 40 });
  });

  it("`signalbox show --json` and the MCP get_run result give the record", async () => {
    const { home, runtime } = open();
    const run = await runtime.start("pay", { how: "plain" });
    const shown = await runCliCaptured(["--home", home, "show", run.id, "--json"]);
    expect(shown.code).toBe(1); // a compensated run exits 1
    const json = JSON.parse(shown.stdout) as { run: { failure: unknown } };
    expect(json.run.failure).toEqual(run.failure);
    const text = await runCliCaptured(["--home", home, "show", run.id]);
    expect(text.stdout).toContain("code STEP_FAILED, raised in node settle");

    const server = createMcpServer(runtime);
    const client = new Client({ name: "failure", version: "1.0.0" });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
    cleanups.push(() => client.close());
    const result = (await client.callTool({
      name: "get_run",
      arguments: { runId: run.id },
    })) as CallToolResult;
    const structured = result.structuredContent as RunResult;
    expect(structured.failure).toEqual(run.failure);
    const body = result.content.map((part) => (part.type === "text" ? part.text : "")).join("\n");
    expect(body).toContain("error code: STEP_FAILED (in node settle)");
  });

  it("a cancelled run stores CANCELLED with the reason", async () => {
    const { runtime } = open();
    const queued = await runtime.store.createRun({
      id: "cancel-me",
      workflow: "pay",
      version: "1",
      input: { how: "plain" },
      trigger: "test",
      dryRun: false,
    });
    const cancelled = await runtime.cancel(queued.id, "not needed");
    expect(cancelled.failure).toEqual({
      code: "CANCELLED",
      message: "not needed",
      node: null,
      details: {},
    });
  });
});
