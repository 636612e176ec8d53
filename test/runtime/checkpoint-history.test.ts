import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { defineWorkflow } from "../../src/graph/workflow.ts";
import { WorkflowRegistry } from "../../src/runtime/registry.ts";
import { Runtime } from "../../src/runtime/runtime.ts";
import type { CheckpointHistory } from "../../src/store/checkpoint-prune.ts";
import { SqliteRunStore } from "../../src/store/sqlite-store.ts";
import { tempHome } from "../support/runtime.ts";

/**
 * Two routes, an approval, then a third route whose decider answers with how many
 * decisions the run had made before it: the log nodes see survives the pause.
 */
function pausing() {
  const go = (to: string) => ({ go: { description: "go on", to } });
  return defineWorkflow({
    name: "pausing",
    description: "routes, an approval, a route that counts the decisions before it",
    version: "1",
    input: z.object({ text: z.string() }),
    output: z.object({ seen: z.array(z.string()), text: z.string() }),
  })
    .route("first", {
      branches: go("second"),
      decider: () => ({ branch: "go", reason: "first" }),
      defaultBranch: "go",
    })
    .route("second", {
      branches: go("ask"),
      decider: () => ({ branch: "go", reason: "second" }),
      defaultBranch: "go",
    })
    .approval("ask", { message: () => "go on?", on: { approved: "third" } })
    .route("third", {
      branches: go("done"),
      decider: (request) => ({
        branch: "go",
        reason: request.state.decisions.map((decision) => decision.node).join(","),
      }),
      defaultBranch: "go",
    })
    .step("done", {
      run: (state) => ({
        output: { seen: state.decisions.map((decision) => decision.node), text: state.input.text },
      }),
    })
    .compile();
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function open(home: string, checkpointHistory?: CheckpointHistory) {
  const store = new SqliteRunStore(join(home, "signalbox.db"), { checkpointHistory });
  const runtime = new Runtime({ store, workflows: new WorkflowRegistry([pausing()]) });
  return { store, runtime };
}

async function checkpointCount(store: SqliteRunStore, runId: string): Promise<number> {
  let count = 0;
  for await (const _ of store.checkpointer.list({ configurable: { thread_id: runId } })) count += 1;
  return count;
}

describe("checkpoint history", () => {
  it("keeps one checkpoint of a paused and of a finished run, and nodes still see every decision after the pause", async () => {
    const { home, cleanup } = tempHome();
    cleanups.push(cleanup);
    const first = open(home);
    const paused = await first.runtime.start("pausing", { text: "an-input-stored-once" });
    expect(paused.status).toBe("waiting");
    expect(await checkpointCount(first.store, paused.id)).toBe(1);
    // The input is stored with the run, not in its checkpoint.
    const tuple = await first.store.checkpointer.getTuple({
      configurable: { thread_id: paused.id },
    });
    expect(JSON.stringify(tuple?.checkpoint)).not.toContain("an-input-stored-once");
    await first.runtime.close();
    // Another process resumes it: its nodes read the log from the store.
    const second = open(home);
    const done = await second.runtime.approve(paused.id, { by: "ann" });
    expect(done.status).toBe("succeeded");
    expect(done.output).toEqual({
      seen: ["first", "second", "ask", "third"],
      text: "an-input-stored-once",
    });
    const { decisions } = await second.runtime.get(paused.id);
    expect(decisions.find((decision) => decision.node === "third")?.reason).toBe(
      "first,second,ask",
    );
    expect(await checkpointCount(second.store, paused.id)).toBe(1);
    await second.runtime.close();
  });

  it("hands the stored input to a fan-out and its branches, and to a step's fallback, after a resume elsewhere", async () => {
    const { home, cleanup } = tempHome();
    cleanups.push(cleanup);
    const workflow = defineWorkflow({
      name: "resumed-input",
      description: "approval, then a fan-out and a failing step that read the input",
      version: "1",
      input: z.object({ id: z.string(), items: z.array(z.number()) }),
      output: z.object({ doubled: z.array(z.number()), by: z.string(), fallback: z.string() }),
      state: { doubled: z.array(z.number()), by: z.string() },
    })
      .approval("ask", { message: (state) => `go on for ${state.input.id}?`, next: "each" })
      .parallel("each", {
        items: (state) => state.input.items,

        run: async (item: number) => item * 2,
        join: (state, results) => ({ doubled: results as number[], by: state.input.id }),
        next: "flaky",
      })
      .step("flaky", {
        run: () => {
          throw new Error("down");
        },
        fallback: (state) => ({
          output: {
            doubled: state.doubled ?? [],
            by: state.by ?? "",
            fallback: `fallback for ${state.input.id}`,
          },
        }),
      })
      .compile();
    const store = (name: string) => new SqliteRunStore(join(home, name));
    const first = new Runtime({
      store: store("signalbox.db"),
      workflows: new WorkflowRegistry([workflow]),
    });
    const paused = await first.start("resumed-input", { id: "c7", items: [1, 2, 3] });
    expect(paused.status).toBe("waiting");
    await first.close();
    const second = new Runtime({
      store: store("signalbox.db"),
      workflows: new WorkflowRegistry([workflow]),
    });
    const done = await second.approve(paused.id, { by: "ann" });
    expect(done.status).toBe("succeeded");
    expect(done.output).toEqual({ doubled: [2, 4, 6], by: "c7", fallback: "fallback for c7" });
    await second.close();
  });

  it('keeps every checkpoint with checkpointHistory "full" (time travel)', async () => {
    const { home, cleanup } = tempHome();
    cleanups.push(cleanup);
    const { store, runtime } = open(home, "full");
    const paused = await runtime.start("pausing", { text: "x" });
    const before = await checkpointCount(store, paused.id);
    expect(before).toBeGreaterThan(3);
    await runtime.approve(paused.id, { by: "ann" });
    expect(await checkpointCount(store, paused.id)).toBeGreaterThan(before);
    await runtime.close();
  });

  it("checkpoints an eval case once, when it stops, even with full history; other dry-runs at every step", async () => {
    const { home, cleanup } = tempHome();
    cleanups.push(cleanup);
    const { store, runtime } = open(home, "full");
    const evalCase = await runtime.start(
      "pausing",
      { text: "x" },
      { dryRun: true, trigger: "eval" },
    );
    expect(evalCase.status).toBe("waiting");
    expect(await checkpointCount(store, evalCase.id)).toBe(1);
    const { decisions } = await runtime.get(evalCase.id);
    expect(decisions.map((decision) => decision.node)).toEqual(["first", "second"]);
    const plain = await runtime.start("pausing", { text: "x" }, { dryRun: true });
    expect(await checkpointCount(store, plain.id)).toBeGreaterThan(3);
    // The pause was checkpointed: approving the eval case finishes it from there.
    const done = await runtime.approve(evalCase.id, { by: "ann" });
    expect(done.output).toEqual({ seen: ["first", "second", "ask", "third"], text: "x" });
    await runtime.close();
  });
});
