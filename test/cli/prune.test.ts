import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBuiltinWorkflows } from "../../src/workflows/index.ts";
import { runCliCaptured } from "../support/cli.ts";
import { openTestRuntime, tempHome } from "../support/runtime.ts";

let home: string;
let cleanup: () => void;
beforeAll(() => {
  ({ home, cleanup } = tempHome("signalbox-prune-"));
});
afterAll(() => cleanup());

const cli = (...args: string[]) => runCliCaptured(["--home", home, ...args]);
const listed = async (...args: string[]) =>
  (JSON.parse((await cli("runs", "--json", ...args)).stdout) as { id: string }[]).map(
    (run) => run.id,
  );

const input = {
  customerId: "C-1001",
  message: "I was charged twice for order #5012, please refund me",
};

describe("signalbox runs and prune", () => {
  it("hides eval runs unless asked, and prunes by trigger, age and status, keeping the other runs whole", async () => {
    const { runtime } = openTestRuntime(home, createBuiltinWorkflows({ home }));
    const user = await runtime.start("support_triage", input, { trigger: "cli" });
    const evalRun = await runtime.start("support_triage", input, { trigger: "eval", dryRun: true });
    const userDecisions = (await runtime.get(user.id)).decisions.length;
    await runtime.close();
    expect(userDecisions).toBeGreaterThan(0);

    expect(await listed()).toEqual([user.id]);
    expect(await listed("--include-eval")).toEqual([evalRun.id, user.id]);

    expect((await cli("prune", "--eval", "--dry-run")).stdout).toContain("would remove 1 run");
    expect(await listed("--include-eval")).toHaveLength(2);
    expect((await cli("prune", "--eval")).stdout).toContain("removed 1 run");
    expect(await listed("--include-eval")).toEqual([user.id]);
    expect((await cli("show", evalRun.id)).code).not.toBe(0);

    expect((await cli("prune", "--older-than", "30d")).stdout).toContain("removed 0 runs");
    const shown = JSON.parse((await cli("show", user.id, "--json")).stdout) as {
      decisions: unknown[];
    };
    expect(shown.decisions).toHaveLength(userDecisions);

    const bad = await cli("prune", "--older-than", "30 days");
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("expected an age such as 30d");
    expect((await cli("prune", "--status", "running")).code).not.toBe(0);

    expect((await cli("prune", "--workflow", "support_triage")).stdout).toContain("removed 1 run");
    expect(await listed("--include-eval")).toEqual([]);
  });
});
