/**
 * The timed comparisons: our step and route wrappers vs bare LangGraph nodes,
 * each case's variants interleaved round by round in this one process.
 */

import { randomUUID } from "node:crypto";
import type { BaseCheckpointSaver } from "@langchain/langgraph-checkpoint";
import { contextValue, detachedContext, type RunContext } from "../src/graph/run-context.ts";
import type { CompiledWorkflow } from "../src/graph/workflow.ts";
import { createLogger } from "../src/runtime/logger.ts";
import { WorkflowRegistry } from "../src/runtime/registry.ts";
import { createRunContext } from "../src/runtime/run-context.ts";
import { Runtime } from "../src/runtime/runtime.ts";
import type { SqliteRunStore } from "../src/store/sqlite-store.ts";
import {
  BENCH_INPUT,
  bareChain,
  bareRouteChain,
  chainWorkflow,
  routeChainWorkflow,
} from "./bench-graphs.ts";
import { type InterleaveOptions, interleave, type Summary } from "./measure.ts";

/** One variant of a case, with its medians and per-unit figures. */
export interface VariantResult extends Summary {
  readonly variant: string;
  readonly wallUsPerUnit: number;
  readonly cpuUsPerUnit: number;
}

/** One comparison: a bare baseline and our variants, measured interleaved. */
export interface CaseResult {
  readonly id: string;
  readonly label: string;
  /** What one unit is (`node`, `decision`), and how many the graph runs per invoke. */
  readonly unit: string;
  readonly units: number;
  readonly checkpointer: "none" | "sqlite";
  readonly bare: VariantResult;
  readonly ours: readonly VariantResult[];
}

export interface CaseSetup {
  readonly store: SqliteRunStore;
  readonly timing: InterleaveOptions;
}

const logger = createLogger("silent");
const quietEmit = () => {};

/** A context over a claimed run row, as a worker has it (decisions and effects are fenced). */
async function runContext(
  store: SqliteRunStore,
  runId: string,
  workflow: string,
): Promise<RunContext> {
  await store.createRun({
    id: runId,
    workflow,
    version: "1",
    input: BENCH_INPUT,
    trigger: "bench",
    dryRun: false,
  });
  const claimed = await store.claimRun(runId, { owner: "bench", leaseMs: 60_000 });
  if (claimed === undefined) throw new Error(`could not claim ${runId}`);
  const lease = { runId, owner: "bench", epoch: claimed.epoch };
  return createRunContext({
    store,
    lease,
    runId,
    workflow,
    dryRun: false,
    logger,
    emit: quietEmit,
  });
}

/** Config as RunDriver passes it (minus the abort signal), with our run context. */
function oursConfig(context: RunContext, recursionLimit: number) {
  return {
    configurable: { thread_id: context.runId },
    context: contextValue(context),
    recursionLimit,
  };
}

const bareConfig = (prefix: string, recursionLimit: number) => ({
  configurable: { thread_id: `${prefix}-${randomUUID()}` },
  recursionLimit,
});

async function expectOutput(result: Promise<Record<string, unknown>>): Promise<void> {
  const final = await result;
  if (final.output === undefined) throw new Error("benchmark graph ended without output");
}

function toResults(
  summaries: Record<string, Summary>,
  units: number,
): Record<string, VariantResult> {
  return Object.fromEntries(
    Object.entries(summaries).map(([variant, summary]) => [
      variant,
      {
        ...summary,
        variant,
        wallUsPerUnit: (summary.wallMs * 1000) / units,
        cpuUsPerUnit: (summary.cpuMs * 1000) / units,
      },
    ]),
  );
}

async function runtimeStart(runtime: Runtime, workflow: CompiledWorkflow): Promise<void> {
  const run = await runtime.start(workflow.name, BENCH_INPUT, { trigger: "bench" });
  if (run.status !== "succeeded")
    throw new Error(`${workflow.name} run ${run.status}: ${run.error}`);
}

/**
 * A chain of `nodes` steps: bare nodes vs our step wrapper invoked the way the
 * runtime does, and (when `endToEnd`) through `Runtime.start` over the SQLite run store.
 */
export async function stepChainCase(
  setup: CaseSetup,
  nodes: number,
  checkpointer: "none" | "sqlite",
  endToEnd = false,
): Promise<CaseResult> {
  if (endToEnd && checkpointer === "none")
    throw new Error("Runtime.start always checkpoints; an end-to-end row needs sqlite");
  const saver: BaseCheckpointSaver | undefined =
    checkpointer === "sqlite" ? setup.store.checkpointer : undefined;
  const bare = bareChain(nodes, saver);
  const workflow = chainWorkflow(nodes);
  const ours = workflow.graph(saver);
  const limit = workflow.maxSteps;
  const variants: Record<string, () => Promise<unknown>> = {
    bare: () => expectOutput(bare.invoke({ input: BENCH_INPUT }, bareConfig("bare", limit))),
    "ours: graph.invoke": async () => {
      const context = await runContext(setup.store, `ours-${randomUUID()}`, workflow.name);
      return expectOutput(ours.invoke({ input: BENCH_INPUT }, oursConfig(context, limit)));
    },
  };
  if (endToEnd) {
    const runtime = new Runtime({
      store: setup.store,
      workflows: new WorkflowRegistry([workflow]),
    });
    variants["ours: Runtime.start"] = () => runtimeStart(runtime, workflow);
  }
  const results = toResults(await interleave(variants, "bare", setup.timing), nodes);
  const { bare: bareResult, ...oursResults } = results;
  return {
    id: `steps-${nodes}-${checkpointer}`,
    label: `step chain of ${nodes}`,
    unit: "node",
    units: nodes,
    checkpointer,
    bare: bareResult as VariantResult,
    ours: Object.values(oursResults),
  };
}

/**
 * A chain of `routes` routing nodes with a trivial decider vs bare nodes
 * returning `Command({ goto })`. Without a checkpointer our decisions stay in
 * graph state (detached context); with SQLite they are also written to the
 * run store's decision log, unless the context is detached.
 */
export async function routeChainCase(
  setup: CaseSetup,
  routes: number,
  checkpointer: "none" | "sqlite",
): Promise<CaseResult> {
  const saver = checkpointer === "sqlite" ? setup.store.checkpointer : undefined;
  const bare = bareRouteChain(routes, saver);
  const workflow = routeChainWorkflow(routes);
  const ours = workflow.graph(saver);
  const limit = workflow.maxSteps;
  const detached = () => {
    const context = detachedContext(`ours-${randomUUID()}`);
    return ours.invoke({ input: BENCH_INPUT }, oursConfig(context, limit));
  };
  const variants: Record<string, () => Promise<unknown>> = {
    bare: () => bare.invoke({ input: BENCH_INPUT }, bareConfig("bare", limit)),
    "ours: detached (decisions in state only)": detached,
  };
  if (checkpointer === "sqlite") {
    const runtime = new Runtime({
      store: setup.store,
      workflows: new WorkflowRegistry([workflow]),
    });
    variants["ours: + decision store"] = async () => {
      const context = await runContext(setup.store, `ours-${randomUUID()}`, workflow.name);
      return ours.invoke({ input: BENCH_INPUT }, oursConfig(context, limit));
    };
    variants["ours: Runtime.start"] = () => runtimeStart(runtime, workflow);
  }
  const results = toResults(await interleave(variants, "bare", setup.timing), routes);
  const { bare: bareResult, ...oursResults } = results;
  return {
    id: `routes-${routes}-${checkpointer}`,
    label: `route chain of ${routes}`,
    unit: "decision",
    units: routes,
    checkpointer,
    bare: bareResult as VariantResult,
    ours: Object.values(oursResults),
  };
}
