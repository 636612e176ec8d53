import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { CompiledWorkflow } from "../../src/graph/workflow.ts";
import { defineWorkflow } from "../../src/graph/workflow.ts";
import { SqliteRunStore } from "../../src/store/sqlite-store.ts";
import { ScheduleRunner } from "../../src/triggers/schedules.ts";
import { type Child, pollUntil, runCli } from "../fixtures/child-process.ts";
import { openTestRuntime, tempHome } from "../support/runtime.ts";
import { startWorkersInTurn, triggerProject } from "./trigger-project.ts";

const TICK_CONFIG = `
const tick = defineWorkflow({
  name: "tick", description: "records its fire time", version: "1",
  input: z.object({ fireTime: z.string() }), output: z.object({ fireTime: z.string() }),
})
  .step("record", { run: async (state) => ({ output: { fireTime: state.input.fireTime } }) })
  .compile();

export default defineConfig({
  workflows: [tick],
  triggers: {
    schedules: [
      { name: "every-second", workflow: "tick", cron: "* * * * * *",
        input: (fire) => ({ fireTime: fire.fireTime }) },
      { name: "weekday-mornings", workflow: "tick", cron: "0 7 * * 1-5", timezone: "Europe/Berlin",
        missed: "catch-up", input: (fire) => ({ fireTime: fire.fireTime }) },
    ],
  },
});`;

describe("schedules across processes", () => {
  let root: string;
  let cleanup: () => void;
  let workers: Child[] = [];

  beforeAll(() => {
    ({ home: root, cleanup } = tempHome("signalbox-schedules-"));
    triggerProject(root, TICK_CONFIG);
  });

  afterAll(async () => {
    for (const worker of workers) worker.process.kill("SIGKILL");
    await Promise.all(workers.map((worker) => worker.exited));
    cleanup();
  });

  it("two worker processes on one store start exactly one run per fire time", async () => {
    const config = join(root, "signalbox.config.mjs");
    workers = [];
    await startWorkersInTurn(workers, config, 2);
    const store = new SqliteRunStore(join(root, ".signalbox", "signalbox.db"));
    try {
      // Five fire times while both processes run (the first may have fired alone before).
      const count = async () => (await store.listRuns({ workflow: "tick", limit: 1000 })).length;
      const before = await count();
      await pollUntil(
        "five fire times with both running",
        async () => ((await count()) >= before + 5 ? true : undefined),
        { timeoutMs: 60_000 },
      );
      for (const worker of workers) worker.process.kill("SIGTERM");
      const exits = await Promise.all(workers.map((worker) => worker.exited));
      expect(exits.map((exit) => exit.code)).toEqual([0, 0]);
      // Both processes fired the schedule (each logs every fire, whether it started the run).
      for (const exit of exits) expect(exit.stderr).toContain("schedule fired");
      const runs = await store.listRuns({ workflow: "tick", limit: 1000 });
      const starts = await Promise.all(runs.map((run) => store.getTriggerStart(run.id)));
      const keys = starts.map((start) => start?.key);
      expect(
        starts.every((start) => start?.kind === "schedule" && start.name === "every-second"),
      ).toBe(true);
      expect(new Set(keys).size).toBe(runs.length);
      // Consecutive seconds, none skipped: every fire time from the first to the last has its run.
      const times = keys.map((key) => Date.parse(key ?? "")).sort((a, b) => a - b);
      const first = times[0] ?? 0;
      expect(times).toEqual(times.map((_, index) => first + index * 1000));
      expect(
        runs.every(
          (run) => (run.input as { fireTime: string }).fireTime === starts[runs.indexOf(run)]?.key,
        ),
      ).toBe(true);
      // The runs finished (driven by whichever worker won each fire).
      const settled = await pollUntil("the runs to finish", async () => {
        const open = await store.listRuns({ workflow: "tick", status: ["queued", "running"] });
        return open.length === 0 ? true : undefined;
      });
      expect(settled).toBe(true);
    } finally {
      await store.close();
    }
  }, 90_000);

  it("signalbox schedules lists each schedule with its next fire in its time zone", async () => {
    const result = await runCli([
      "--config",
      join(root, "signalbox.config.mjs"),
      "schedules",
      "--json",
    ]);
    expect(result.code).toBe(0);
    const list = JSON.parse(result.stdout) as {
      name: string;
      nextFire: string;
      timezone: string;
    }[];
    expect(list.map((item) => item.name)).toEqual(["every-second", "weekday-mornings"]);
    const morning = list[1];
    expect(morning?.timezone).toBe("Europe/Berlin");
    // 07:00 in Berlin is 06:00 or 05:00 UTC (winter or summer time), on a weekday.
    const next = new Date(morning?.nextFire ?? "");
    expect([5, 6]).toContain(next.getUTCHours());
    expect([1, 2, 3, 4, 5]).toContain(next.getUTCDay());
    const text = await runCli(["--config", join(root, "signalbox.config.mjs"), "schedules"]);
    expect(text.stdout).toMatch(
      /^every-second {2}tick {2}"\* \* \* \* \* \*" UTC {2}next \S+Z {2}last \S+Z/m,
    );
  });
});

describe("missed fires", () => {
  const echo = defineWorkflow({
    name: "fire_echo",
    description: "echoes its fire time",
    version: "1",
    input: z.object({ fireTime: z.string() }),
    output: z.object({ fireTime: z.string() }),
  })
    .step("echo", { run: async (state) => ({ output: { fireTime: state.input.fireTime } }) })
    .compile() as CompiledWorkflow;

  const schedule = (missed: "skip" | "catch-up") => ({
    name: `hourly-${missed}`,
    workflow: "fire_echo",
    cron: "0 * * * *",
    missed,
    input: (fire: { fireTime: string }) => ({ fireTime: fire.fireTime }),
  });

  it("catch-up starts one run for the latest missed fire; skip starts none; a schedule never run catches up nothing", async () => {
    const { home, cleanup } = tempHome("signalbox-missed-");
    const { runtime, store } = openTestRuntime(home, [echo]);
    try {
      // Last ran at 01:00; now it is 05:30: fires at 02:00 … 05:00 were missed.
      for (const missed of ["skip", "catch-up"] as const)
        await store.createTriggeredRun(
          {
            id: `earlier-${missed}`,
            workflow: "fire_echo",
            version: "1",
            input: { fireTime: "x" },
            trigger: "schedule",
            dryRun: false,
          },
          {
            kind: "schedule",
            name: `hourly-${missed}`,
            key: "2026-11-30T01:00:00.000Z",
            details: {},
          },
        );
      const now = new Date("2026-11-30T05:30:00.000Z");
      const never = { ...schedule("catch-up"), name: "never-ran" };
      const runner = new ScheduleRunner(runtime, [schedule("skip"), schedule("catch-up"), never]);
      await runner.start(now);
      runner.stop();
      const caughtUp = await store.lastTriggerStart("schedule", "hourly-catch-up");
      expect(caughtUp).toMatchObject({
        key: "2026-11-30T05:00:00.000Z",
        details: { catchUp: true },
      });
      expect((await store.lastTriggerStart("schedule", "hourly-skip"))?.key).toBe(
        "2026-11-30T01:00:00.000Z",
      );
      expect(await store.lastTriggerStart("schedule", "never-ran")).toBeUndefined();
      const run = await runtime.wait(caughtUp?.runId ?? "");
      expect(run).toMatchObject({
        status: "succeeded",
        output: { fireTime: "2026-11-30T05:00:00.000Z" },
      });
      // A second process catching up the same gap starts nothing more.
      const again = new ScheduleRunner(runtime, [schedule("catch-up")]);
      await again.start(now);
      again.stop();
      expect((await runtime.list({ workflow: "fire_echo" })).length).toBe(3);
    } finally {
      await runtime.close();
      cleanup();
    }
  });
});
