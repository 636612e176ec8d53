import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SignalboxConfigSchema } from "../../src/config/define-config.ts";
import { WorkflowRegistry } from "../../src/runtime/registry.ts";
import { parseAge } from "../../src/runtime/retention.ts";
import { Runtime } from "../../src/runtime/runtime.ts";
import { SqliteRunStore } from "../../src/store/sqlite-store.ts";
import { createBuiltinWorkflows } from "../../src/workflows/index.ts";
import { tempHome } from "../support/runtime.ts";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

const input = {
  customerId: "C-1001",
  message: "I was charged twice for order #5012, please refund me",
};

describe("retention", () => {
  it("prunes eval dry-runs by the policy while a worker runs, and keeps the user's runs", async () => {
    const { home, cleanup } = tempHome();
    cleanups.push(cleanup);
    const store = new SqliteRunStore(join(home, "signalbox.db"));
    const runtime = new Runtime({
      store,
      workflows: new WorkflowRegistry(createBuiltinWorkflows({ home })),
      retention: { evalOlderThanMs: 0, everyMs: 20 },
    });
    const user = await runtime.start("support_triage", input, { trigger: "cli" });
    const evaluated = await runtime.start("support_triage", input, {
      trigger: "eval",
      dryRun: true,
    });
    expect(await store.getRun(evaluated.id)).toBeDefined();
    await runtime.startWorker();
    while ((await store.getRun(evaluated.id)) !== undefined)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await store.getRun(user.id))?.status).toBe("succeeded");
    expect((await runtime.get(user.id)).decisions.length).toBeGreaterThan(0);
    await runtime.close();
  });

  it("reads ages as days, hours or minutes and names the field of a bad one", () => {
    expect(parseAge("30d")).toBe(30 * 86_400_000);
    expect(parseAge("12h")).toBe(12 * 3_600_000);
    expect(parseAge("90m")).toBe(90 * 60_000);
    expect(() => parseAge("30 days", "store.retention.olderThan")).toThrow(
      /store\.retention\.olderThan: expected an age such as 30d/,
    );
    const config = (retention: unknown) =>
      SignalboxConfigSchema.safeParse({ workflows: [], store: { retention } });
    expect(config({ olderThan: "30d", evalOlderThan: "1d" }).success).toBe(true);
    const bad = config({ olderThan: "a month" });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(["store", "retention", "olderThan"]);
    expect(bad.error?.issues[0]?.message).toContain("expected an age such as 30d");
  });
});
