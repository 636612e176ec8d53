import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { defineWorkflow } from "../../src/graph/workflow.ts";
import { WorkflowRegistry } from "../../src/runtime/registry.ts";
import { Runtime } from "../../src/runtime/runtime.ts";
import type { CheckpointHistory } from "../../src/store/checkpoint-prune.ts";
import { PostgresRunStore } from "../../src/store/postgres-store.ts";
import { SqliteRunStore } from "../../src/store/sqlite-store.ts";
import type { RunStore } from "../../src/store/types.ts";
import {
  describePostgres,
  dropSchemas,
  freshSchema,
  POSTGRES_URL,
  postgresUnavailable,
} from "../support/postgres.ts";
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

/** A sub-workflow with an approval inside; the parent asks for its own approval after it. */
function nested(askInside: boolean) {
  const child = defineWorkflow({
    name: "nested_child",
    description: "a step, maybe an approval, a step",
    version: "1",
    input: z.object({ text: z.string() }),
    output: z.object({ text: z.string() }),
    state: { text: z.string() },
  })
    .step("prepare", { run: (state) => ({ text: `${state.input.text}+prepared` }), next: "ask" })
    .approval("ask", { message: () => "inside?", when: () => askInside, next: "finish" })
    .step("finish", { run: (state) => ({ output: { text: `${state.text}+finished` } }) })
    .compile();
  return defineWorkflow({
    name: "nested_parent",
    description: "a sub-workflow, then an approval",
    version: "1",
    input: z.object({ text: z.string() }),
    output: z.object({ text: z.string() }),
    state: { text: z.string() },
  })
    .subworkflow("sub", {
      workflow: child,
      input: (state) => ({ text: state.input.text }),
      output: (_state, out) => ({ text: (out as { text: string }).text }),
      next: "outer",
    })
    .approval("outer", { message: () => "outside?", when: () => !askInside, next: "done" })
    .step("done", { run: (state) => ({ output: { text: `${state.text}+done` } }) })
    .compile();
}

/** The namespaces of a run's stored checkpoints: "" is the root, `node:task` a sub-graph. */
async function namespaces(store: RunStore, runId: string): Promise<string[]> {
  const found = new Set<string>();
  for await (const tuple of store.checkpointer.list({ configurable: { thread_id: runId } }))
    found.add(String(tuple.config.configurable?.checkpoint_ns ?? "").replace(/:.*/, ""));
  return [...found].sort();
}

/**
 * A sub-workflow paused inside keeps its checkpoint (resume reads it); one that finished
 * before the parent paused does not. `open` gives a store on the same database each call.
 */
async function pauseAroundSubworkflow(open: () => Promise<RunStore>): Promise<void> {
  for (const askInside of [true, false]) {
    const start = async () => {
      const store = await open();
      const runtime = new Runtime({ store, workflows: new WorkflowRegistry([nested(askInside)]) });
      return { store, runtime };
    };
    const first = await start();
    const paused = await first.runtime.start("nested_parent", { text: "t" });
    expect(paused.status).toBe("waiting");
    expect(await namespaces(first.store, paused.id)).toEqual(askInside ? ["", "sub"] : [""]);
    await first.runtime.close();
    const second = await start();
    const done = await second.runtime.approve(paused.id, { by: "ann" });
    expect(done.status).toBe("succeeded");
    expect(done.output).toEqual({ text: "t+prepared+finished+done" });
    expect(await namespaces(second.store, paused.id)).toEqual([""]);
    await second.runtime.close();
  }
}

const unavailable = await postgresUnavailable();
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

  it("keeps the checkpoint of a sub-workflow paused inside, and resumes it in another process", async () => {
    const { home, cleanup } = tempHome();
    cleanups.push(cleanup);
    await pauseAroundSubworkflow(async () => new SqliteRunStore(join(home, "signalbox.db")));
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

describePostgres("checkpoint history on PostgreSQL", unavailable, () => {
  const schema = freshSchema("history");
  afterAll(() => dropSchemas([schema]));

  it("keeps the checkpoint of a sub-workflow paused inside, and resumes it in another process", async () => {
    await pauseAroundSubworkflow(() =>
      PostgresRunStore.open({ connectionString: POSTGRES_URL, schema }),
    );
  });
});
