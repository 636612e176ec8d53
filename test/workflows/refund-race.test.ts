import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SupportData } from "../../src/workflows/support-triage/support-data.ts";
import { createSupportTriage } from "../../src/workflows/support-triage/workflow.ts";
import { openTestRuntime, tempHome } from "../support/runtime.ts";

// Issue #11, item 1: 10 concurrent runs refunding order 5012 (49 EUR) paid 10 refunds.
// Counted in the workflow's own data, not in the effect journal.

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function setup() {
  const { home, cleanup } = tempHome("signalbox-refund-race-");
  const data = new SupportData(join(home, "support.db"));
  const { runtime } = openTestRuntime(home, [createSupportTriage({ data }) as never]);
  cleanups.push(
    cleanup,
    () => data.close(),
    () => runtime.close(),
  );
  return { home, data, runtime };
}

describe("refunding one order from many runs at once", () => {
  it("10 concurrent Runtime.start: exactly one refund, the other runs decline and say why", async () => {
    const { data, runtime } = setup();
    const runs = await Promise.all(
      Array.from({ length: 10 }, () =>
        runtime.start("support_triage", {
          customerId: "C-1001",
          message: "I was charged twice for order #5012, please refund me",
        }),
      ),
    );
    expect(runs.map((run) => run.status)).toEqual(Array(10).fill("succeeded"));
    const refunds = data.refundsOf("5012");
    expect(refunds).toEqual([{ key: expect.any(String), amount: 49, status: "issued" }]);
    const outputs = runs.map((run) => run.output as { action: string; reply: string });
    const actions = outputs.map((output) => output.action).sort();
    expect(actions).toEqual([...Array(9).fill("refund_declined"), "refunded"]);
    const declined = outputs.filter((output) => output.action === "refund_declined");
    for (const output of declined) {
      expect(output.reply).toContain("order #5012 was already refunded");
      expect(output.reply).not.toContain("We have issued a refund");
    }
    // The decision path says why, not only the reply (item 9): declined by the policy
    // check, or declined as the refund was being issued (the race lost in the transaction).
    for (const run of runs.filter((r) => (r.output as { action: string }).action !== "refunded")) {
      const reasons = (await runtime.get(run.id)).decisions.map((d) => `${d.node}: ${d.reason}`);
      expect(reasons.join("\n")).toMatch(
        /review_draft: the refund policy declines this refund: order #5012 was already refunded|issue_refund: the refund was declined as it was issued: order #5012 was already refunded/,
      );
    }
    const winner = runs.find((run) => (run.output as { action: string }).action === "refunded");
    expect(refunds[0]?.key.startsWith(winner?.id ?? "?")).toBe(true);
  });

  it("two connections to one data file (two processes): one refund, one decline", () => {
    const { home, data } = setup();
    const other = new SupportData(join(home, "support.db"));
    cleanups.push(() => other.close());
    const refund = { customerId: "C-1001", orderId: "5012", amount: 49 };
    expect(data.issueRefund("run-a:issue_refund:8:0", refund)).toEqual({
      key: "run-a:issue_refund:8:0",
      status: "issued",
    });
    expect(other.issueRefund("run-b:issue_refund:8:0", refund)).toEqual({
      key: "run-b:issue_refund:8:0",
      status: "declined",
      reason: "order #5012 was already refunded",
    });
    // A replay of the first key (a crash between the write and the journal) is not a second refund.
    expect(other.issueRefund("run-a:issue_refund:8:0", refund).status).toBe("issued");
    expect(data.refundsOf("5012")).toHaveLength(1);
  });

  it("declines another customer's order and reverses only what it issued", () => {
    const { data } = setup();
    expect(data.issueRefund("k1", { customerId: "C-1001", orderId: "5020", amount: 480 })).toEqual({
      key: "k1",
      status: "declined",
      reason: "order #5020 is not on this account",
    });
    data.issueRefund("k2", { customerId: "C-1001", orderId: "5012", amount: 49 });
    data.reverseRefund("k1");
    expect(data.orders("C-1001").find((order) => order.id === "5012")?.status).toBe("refunded");
    data.reverseRefund("k2");
    expect(data.orders("C-1001").find((order) => order.id === "5012")?.status).toBe("paid");
    expect(data.refundsOf("5012")).toEqual([{ key: "k2", amount: 49, status: "reversed" }]);
    expect(
      data.issueRefund("k3", { customerId: "C-1001", orderId: "5012", amount: 49 }).status,
    ).toBe("issued");
  });
});
