import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import type { RunResult } from "../../src/analytics/run-result.ts";
import { isSignalboxError } from "../../src/errors.ts";
import { type ApproverRule, anyoneMayApprove } from "../../src/graph/approval-rule.ts";
import { defineWorkflow } from "../../src/graph/workflow.ts";
import { createMcpServer } from "../../src/mcp/create-mcp-server.ts";
import { runCliCaptured } from "../support/cli.ts";
import { openTestRuntime, tempHome } from "../support/runtime.ts";

// Issue 11: the requester cannot approve their own run, whichever adapter the decision
// comes from; the rule is the approval node's, the runtime applies it.

function payout(approvers?: ApproverRule) {
  return defineWorkflow({
    name: approvers ? "payout_self" : "payout",
    description: "pays after an approval",
    version: "1",
    input: z.object({ amount: z.number() }),
    output: z.object({ paid: z.boolean() }),
  })
    .approval("sign_off", {
      message: (state) => `pay ${state.input.amount}?`,
      ...(approvers ? { approvers } : {}),
      on: { rejected: "decline" },
      next: "pay",
    })
    .step("pay", { run: () => ({ output: { paid: true } }) })
    .step("decline", { run: () => ({ output: { paid: false } }) })
    .compile();
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function open() {
  const { home, cleanup } = tempHome("signalbox-approver-");
  const { runtime } = openTestRuntime(home, [payout(), payout(anyoneMayApprove)]);
  cleanups.push(cleanup, () => runtime.close());
  return { home, runtime };
}

describe("who may approve (runtime)", () => {
  it("refuses the requester's own approval, leaving it pending; someone else approves, recorded as decided_by", async () => {
    const { runtime } = open();
    const run = await runtime.start("payout", { amount: 500 }, { requestedBy: "ann" });
    expect(run).toMatchObject({ status: "waiting", requestedBy: "ann" });
    const refused = await runtime.approve(run.id, { by: "ann" }).catch((error: unknown) => error);
    expect(isSignalboxError(refused, "APPROVAL_FORBIDDEN")).toBe(true);
    expect((refused as Error).message).toBe(
      `ann asked for run ${run.id} and may not approve it too; someone else must (sign_off)`,
    );
    const { run: still, approvals } = await runtime.get(run.id);
    expect(still.status).toBe("waiting");
    expect(approvals).toMatchObject([{ status: "pending", decidedBy: null }]);

    const approved = await runtime.approve(run.id, { by: "bob" });
    expect(approved.output).toEqual({ paid: true });
    expect((await runtime.get(run.id)).approvals).toMatchObject([
      { status: "approved", decidedBy: "bob" },
    ]);
  });

  it("lets the requester reject their own run", async () => {
    const { runtime } = open();
    const run = await runtime.start("payout", { amount: 500 }, { requestedBy: "ann" });
    const rejected = await runtime.approve(run.id, { by: "ann", decision: "rejected" });
    expect(rejected.output).toEqual({ paid: false });
  });

  it("takes the approval node's own rule (here anyone may approve)", async () => {
    const { runtime } = open();
    const run = await runtime.start("payout_self", { amount: 5 }, { requestedBy: "ann" });
    expect((await runtime.approve(run.id, { by: "ann" })).output).toEqual({ paid: true });
  });
});

describe("who may approve (adapters)", () => {
  it("signalbox run --by records the requester; signalbox approve by them exits 4 and changes nothing", async () => {
    const { home } = open();
    const cli = (...args: string[]) => runCliCaptured(["--home", home, ...args]);
    // The CLI hosts the built-in demo workflows here: use support_triage's large refund.
    const started = await cli(
      "run",
      "support_triage",
      "--by",
      "ann",
      "--json",
      "--input",
      "@examples/large-refund.json",
    );
    const run = (JSON.parse(started.stdout) as { run: { id: string; status: string } }).run;
    expect(run.status).toBe("waiting");
    const own = await cli("approve", run.id, "--by", "ann");
    expect(own.code).toBe(4);
    expect(own.stderr).toContain("ann asked for run");
    const shown = JSON.parse((await cli("show", run.id, "--json")).stdout) as {
      run: { status: string; requestedBy: string };
      approvals: { status: string }[];
    };
    expect(shown.run).toMatchObject({ status: "waiting", requestedBy: "ann" });
    expect(shown.approvals).toMatchObject([{ status: "pending" }]);
    const other = await cli("approve", run.id, "--by", "bob", "--json");
    expect(other.code, other.stderr).toBe(0);
    const after = JSON.parse(other.stdout) as { approvals: { decidedBy: string }[] };
    expect(after.approvals).toMatchObject([{ decidedBy: "bob" }]);
  });

  it("MCP approve_run by the requester is a tool error naming the rule; by another person it proceeds", async () => {
    const { runtime } = open();
    const run = await runtime.start("payout", { amount: 500 }, { requestedBy: "ann" });
    const server = createMcpServer(runtime);
    const client = new Client({ name: "approver", version: "1.0.0" });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
    cleanups.push(() => client.close());
    const own = (await client.callTool({
      name: "approve_run",
      arguments: { runId: run.id, by: "ann" },
    })) as CallToolResult;
    expect(own.isError).toBe(true);
    expect(JSON.stringify(own.content)).toContain("APPROVAL_FORBIDDEN: ann asked for run");
    expect((await runtime.get(run.id)).run.status).toBe("waiting");
    const other = (await client.callTool({
      name: "approve_run",
      arguments: { runId: run.id, by: "bob" },
    })) as CallToolResult;
    expect((other.structuredContent as RunResult).status).toBe("succeeded");
  });
});
