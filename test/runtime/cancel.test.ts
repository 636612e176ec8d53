import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { defineWorkflow } from "../../src/graph/workflow.ts";
import { openTestRuntime, tempHome } from "../support/runtime.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const homes: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of homes.splice(0)) cleanup();
});

describe("cancel", () => {
  it("stops a running run driven by another runtime at its next heartbeat, and runs no later step", async () => {
    const reached: string[] = [];
    const slow = defineWorkflow({
      name: "slow",
      description: "x",
      version: "1",
      input: z.object({}),
      output: z.object({}),
    })
      .step("first", {
        run: async (_state, context) => {
          reached.push("first");
          await new Promise((resolve) => context.signal?.addEventListener("abort", resolve));
          return {};
        },
        next: "second",
      })
      .step("second", {
        run: () => {
          reached.push("second");
          return { output: {} };
        },
      })
      .compile();
    const { home, cleanup } = tempHome();
    homes.push(cleanup);
    const driver = openTestRuntime(home, [slow], 90);
    const other = openTestRuntime(home, [slow]);
    const run = await driver.runtime.start("slow", {}, { wait: false });
    while (reached.length === 0) await sleep(10);
    const cancelled = await other.runtime.cancel(run.id, "customer withdrew");
    expect(cancelled).toMatchObject({ status: "cancelled", error: "customer withdrew" });
    const final = await driver.runtime.wait(run.id);
    expect(final.status).toBe("cancelled");
    expect(reached).toEqual(["first"]);
    expect(driver.events).toContainEqual(
      expect.objectContaining({ type: "run-end", status: "cancelled", error: "customer withdrew" }),
    );
    expect(other.events).toContainEqual(
      expect.objectContaining({ type: "run-end", status: "cancelled" }),
    );
    await driver.runtime.close();
    await other.runtime.close();
  });
});
