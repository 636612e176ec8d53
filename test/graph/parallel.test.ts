import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { defineWorkflow } from "../../src/graph/workflow.ts";
import { openTestRuntime, tempHome } from "../support/runtime.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Span {
  readonly item: number;
  readonly start: number;
  readonly end: number;
}

/** The most spans open at the same instant. */
function maxOverlap(spans: readonly Span[]): number {
  const points = spans.flatMap((span) => [
    { at: span.start, delta: 1 },
    { at: span.end, delta: -1 },
  ]);
  points.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let open = 0;
  let most = 0;
  for (const point of points) {
    open += point.delta;
    most = Math.max(most, open);
  }
  return most;
}

function fanOut(spans: Span[], concurrency?: number) {
  return defineWorkflow({
    name: "fan",
    description: "fan-out",
    version: "1",
    input: z.object({ items: z.array(z.number()) }),
    output: z.object({ doubled: z.array(z.number()) }),
  })
    .parallel("each", {
      items: (state) => state.input.items,
      concurrency,
      run: async (item: number) => {
        const start = performance.now();
        await sleep(50);
        spans.push({ item, start, end: performance.now() });
        return item * 2;
      },
      join: (_state, results) => ({ output: { doubled: results as number[] } }),
    })
    .compile();
}

const homes: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of homes.splice(0)) cleanup();
});

async function run(workflow: ReturnType<typeof fanOut>, input: unknown) {
  const { home, cleanup } = tempHome();
  homes.push(cleanup);
  const { runtime } = openTestRuntime(home, [workflow]);
  const result = await runtime.start(workflow.name, input);
  await runtime.close();
  return result;
}

describe("parallel", () => {
  it("runs 10 items of 50 ms truly concurrently and joins results in item order", async () => {
    const spans: Span[] = [];
    const items = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const result = await run(fanOut(spans), { items });
    expect(result.status).toBe("succeeded");
    expect(result.output).toEqual({ doubled: items.map((item) => item * 2) });
    expect(spans).toHaveLength(10);
    // Concurrency is asserted by overlap, not by wall-clock: all ten were in flight together.
    expect(maxOverlap(spans)).toBe(10);
  });

  it("never has more items in flight than the concurrency cap", async () => {
    const spans: Span[] = [];
    const result = await run(fanOut(spans, 3), { items: [1, 2, 3, 4, 5, 6, 7, 8] });
    expect(result.status).toBe("succeeded");
    expect(maxOverlap(spans)).toBe(3);
  });

  it("joins straight away when there are no items", async () => {
    const result = await run(fanOut([]), { items: [] });
    expect(result.output).toEqual({ doubled: [] });
  });

  it("fans out over named sub-steps and hands their names to the join", async () => {
    const workflow = defineWorkflow({
      name: "gather",
      description: "named branches",
      version: "1",
      input: z.object({ id: z.string() }),
      output: z.record(z.string(), z.string()),
    })
      .parallel("context", {
        branches: {
          profile: async (state) => `profile of ${state.input.id}`,
          orders: async (state) => `orders of ${state.input.id}`,
        },
        join: (_state, results, names) => ({
          output: Object.fromEntries(names.map((name, index) => [name, String(results[index])])),
        }),
      })
      .compile();
    const result = await run(workflow as never, { id: "c1" });
    expect(result.output).toEqual({ profile: "profile of c1", orders: "orders of c1" });
  });

  it("gives each named sub-step its own timeout and fallback, logged as a decision; a failure without one fails the run (issue 16)", async () => {
    let aborted = false;
    const build = (withFallback: boolean) =>
      defineWorkflow({
        name: withFallback ? "gather_fallback" : "gather_fail",
        description: "sub-steps with timeouts",
        version: "1",
        input: z.object({ id: z.string() }),
        output: z.record(z.string(), z.string()),
      })
        .parallel("context", {
          branches: {
            fast: async (state) => `fast ${state.input.id}`,
            // Never answers on its own: only its timeout ends it.
            stuck: {
              effect: "read",
              timeoutMs: 50,
              run: (_state, context) =>
                new Promise((_resolve, reject) =>
                  context.signal?.addEventListener("abort", () => {
                    aborted = true;
                    reject(new Error("aborted"));
                  }),
                ),
              ...(withFallback
                ? { fallback: (_state: unknown, error: Error) => `fallback: ${error.message}` }
                : {}),
            },
          },
          join: (_state, results, names) => ({
            output: Object.fromEntries(names.map((name, index) => [name, String(results[index])])),
          }),
        })
        .compile();
    const { home, cleanup } = tempHome();
    homes.push(cleanup);
    const fallback = build(true);
    const failing = build(false);
    const { runtime } = openTestRuntime(home, [fallback as never, failing as never]);
    try {
      const ok = await runtime.start(fallback.name, { id: "c1" });
      expect(ok.status).toBe("succeeded");
      expect(aborted).toBe(true);
      expect(ok.output).toEqual({
        fast: "fast c1",
        stuck: expect.stringMatching(/^fallback: .*took longer than its timeout of 50 ms/),
      });
      const { decisions } = await runtime.get(ok.id);
      expect(decisions).toEqual([
        expect.objectContaining({
          node: "context[stuck]",
          kind: "fallback",
          choice: "fallback",
          reason: expect.stringContaining("sub-step stuck failed, its fallback stands in"),
        }),
      ]);
      const failed = await runtime.start(failing.name, { id: "c2" });
      expect(failed.status).toBe("failed");
      expect(failed.error).toMatch(/took longer than its timeout of 50 ms/);
    } finally {
      await runtime.close();
    }
  });
});
