/**
 * The workflows of the queue benchmark, registered by the enqueuing process and by
 * every worker process: a one-step `bench_ping` (pickup latency: nothing to do but
 * be picked up) and `bench_hold`, one step that holds its run for `holdMs` (failover:
 * the worker driving it is SIGKILLed while it holds). Throughput uses the shipped
 * `support_triage`.
 */
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import type { CompiledWorkflow } from "../src/graph/workflow.ts";
import { defineWorkflow } from "../src/graph/workflow.ts";
import { createBuiltinWorkflows } from "../src/workflows/index.ts";

export const PING_WORKFLOW = "bench_ping";
export const HOLD_WORKFLOW = "bench_hold";
export const TRIAGE_WORKFLOW = "support_triage";
/** The shipped example input: a duplicate charge, refunded below the approval limit. */
export const TRIAGE_INPUT: unknown = JSON.parse(
  readFileSync(new URL("../examples/refund-request.json", import.meta.url), "utf8"),
);

function createPing(): CompiledWorkflow {
  return defineWorkflow({
    name: PING_WORKFLOW,
    description: "one pure step: measures how soon a worker picks a run up",
    version: "1",
    input: z.object({ n: z.number() }),
    output: z.object({ n: z.number() }),
  })
    .step("pong", { run: (state) => ({ output: { n: state.input.n } }) })
    .compile() as CompiledWorkflow;
}

function createHold(): CompiledWorkflow {
  return defineWorkflow({
    name: HOLD_WORKFLOW,
    description: "holds its run for holdMs: a worker to kill while it drives a run",
    version: "1",
    input: z.object({ holdMs: z.number() }),
    output: z.object({ heldMs: z.number() }),
  })
    .step("hold", {
      // Aborted when this driver loses the run, so a fenced-off worker frees its slot.
      run: async (state, context) => {
        await sleep(state.input.holdMs, undefined, { signal: context.signal });
        return { output: { heldMs: state.input.holdMs } };
      },
    })
    .compile() as CompiledWorkflow;
}

/** Every workflow the benchmark's processes register; support data lives in `<home>/support.db`. */
export function queueBenchWorkflows(home: string): CompiledWorkflow[] {
  return [...createBuiltinWorkflows({ home }), createPing(), createHold()];
}
