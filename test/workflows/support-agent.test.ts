import { afterEach, describe, expect, it } from "vitest";
import type { CompiledWorkflow } from "../../src/graph/workflow.ts";
import { createSupportTriage, SupportData } from "../../src/workflows/index.ts";
import { createSupportTools } from "../../src/workflows/support-triage/support-tools.ts";
import { openTestRuntime, tempHome } from "../support/runtime.ts";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function tool(data: SupportData, name: string) {
  const found = createSupportTools(data).find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no tool ${name}`);
  return found;
}

describe("the technical agent's tools (issue 16)", () => {
  it("open_ticket needs approval on the free plan only, and opens one ticket per key", async () => {
    const data = new SupportData(":memory:");
    const open = tool(data, "open_ticket");
    expect(open.effect).toBe("write");
    const ticket = { subject: "crash", severity: "normal" };
    expect(open.needsApproval({ customerId: "C-1003", ...ticket })).toBe(true);
    expect(open.needsApproval({ customerId: "C-1001", ...ticket })).toBe(false);
    const context = { idempotencyKey: "run-1:tool:open_ticket:C-1001" } as never;
    const first = await open.run({ customerId: "C-1001", ...ticket }, context);
    const again = await open.run({ customerId: "C-1001", ...ticket }, context);
    expect(again).toEqual(first);
    expect(data.recentTickets("C-1001").filter((row) => row.status === "open")).toHaveLength(1);
    data.close();
  });

  it("get_order_status finds only the customer's own orders", async () => {
    const data = new SupportData(":memory:");
    const status = tool(data, "get_order_status");
    expect(await status.run({ customerId: "C-1001", orderId: "5012" }, {} as never)).toMatchObject({
      found: true,
      status: "paid",
      amount: 49,
    });
    expect(await status.run({ customerId: "C-1001", orderId: "5020" }, {} as never)).toEqual({
      found: false,
      reason: "order #5020 is not on this account",
    });
    data.close();
  });
});

describe("support_triage's technical branch, performed (not a dry run)", () => {
  it("a free-plan question no article answers waits for approval of the ticket, then opens it once", async () => {
    const { home, cleanup } = tempHome();
    cleanups.push(cleanup);
    const data = new SupportData(":memory:");
    const workflow = createSupportTriage({ data }) as unknown as CompiledWorkflow;
    const { runtime } = openTestRuntime(home, [workflow]);
    try {
      const message = "The app crashes with error XJ-99 on my Chromebook keyboard shortcut";
      const waiting = await runtime.start("support_triage", { customerId: "C-1003", message });
      expect(waiting.status).toBe("waiting");
      const pending = await runtime.get(waiting.id);
      expect(pending.approvals[0]).toMatchObject({ node: "solve_technical", status: "pending" });
      expect(pending.approvals[0]?.message).toMatch(/wants to call open_ticket \(write\)/);
      const done = await runtime.approve(waiting.id, { by: "alice" });
      expect(done.status).toBe("succeeded");
      expect(done.output).toMatchObject({ intent: "technical", article: null });
      const ticketId = (done.output as { ticketId: string }).ticketId;
      expect(ticketId).toMatch(/^T-\d+$/);
      expect(data.recentTickets("C-1003").filter((row) => row.id === ticketId)).toHaveLength(1);
      const { decisions } = await runtime.get(done.id);
      const tools = decisions.filter((decision) => decision.kind === "tool");
      expect(tools.map((decision) => decision.choice)).toEqual([
        "search_help_center",
        "open_ticket",
      ]);
      expect(tools[1]?.reason).toMatch(/^offline: no article is relevant enough/);
    } finally {
      await runtime.close();
      data.close();
    }
  });
});
