import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { isSignalboxError } from "../../src/errors.ts";
import { defineWorkflow } from "../../src/graph/workflow.ts";
import { openTestRuntime, tempHome } from "../support/runtime.ts";

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** `gated` at `version`: an approval, then a step that says which version finished the run. */
function gated(version: string) {
  return defineWorkflow({
    name: "gated",
    description: "an approval, then a step naming its version",
    version,
    input: z.object({}),
    output: z.object({ finishedBy: z.string() }),
  })
    .approval("gate", { message: () => "go on?", next: "finish" })
    .step("finish", { run: () => ({ output: { finishedBy: version } }) })
    .compile();
}

function open(home: string, versions: readonly string[]) {
  const opened = openTestRuntime(home, versions.map(gated));
  cleanups.push(() => opened.runtime.close());
  return opened;
}

describe("runs pinned to their workflow version", () => {
  it("a process without the run's version refuses to continue it and changes nothing; one with it finishes it on that version", async () => {
    const { home, cleanup } = tempHome("signalbox-versions-");
    cleanups.push(cleanup);
    const v1 = open(home, ["1"]);
    const started = await v1.runtime.start("gated", {});
    expect(started).toMatchObject({ status: "waiting", version: "1" });

    const v2 = open(home, ["2"]);
    const refused = await v2.runtime.approve(started.id, { by: "ann" }).catch((error) => error);
    expect(isSignalboxError(refused, "VERSION_UNAVAILABLE")).toBe(true);
    expect(String(refused.message)).toContain("pinned to gated version 1");
    expect(String(refused.message)).toContain("registered: 2");
    // Nothing was decided: the run still waits for its approval.
    expect(await v2.store.getRun(started.id)).toMatchObject({ status: "waiting" });
    expect((await v2.store.listApprovals({ runId: started.id }))[0]?.status).toBe("pending");
    // New runs start on the newest registered version.
    const both = open(home, ["1", "2"]);
    expect(both.runtime.workflow("gated").version).toBe("2");
    const finished = await both.runtime.approve(started.id, { by: "ann" });
    expect(finished).toMatchObject({ status: "succeeded", output: { finishedBy: "1" } });
  });

  it("a worker without the run's version leaves it queued for one that has it", async () => {
    const { home, cleanup } = tempHome("signalbox-versions-");
    cleanups.push(cleanup);
    const v1 = open(home, ["1"]);
    const queued = await v1.runtime.start("gated", {}, { detach: true });
    const v2 = open(home, ["2"]);
    expect(await v2.runtime.tryDrive(queued.id)).toBeUndefined();
    expect(await v2.runtime.recover()).toEqual([]);
    expect(await v2.store.getRun(queued.id)).toMatchObject({ status: "queued", epoch: 0 });
    const [driven] = await v1.runtime.recover();
    expect(driven).toMatchObject({ id: queued.id, status: "waiting", version: "1", epoch: 1 });
  });
});
