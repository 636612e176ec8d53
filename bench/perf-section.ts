/**
 * The issue-12 section of `npm run bench` (alone: `BENCH_ONLY=perf npm run bench`):
 * support_triage throughput and bytes against its bare twin, route decisions against
 * bare `Command` nodes, and how a long run's checkpoints grow. Ratios are measured in
 * this one process, interleaved; throughput is judged on CPU time (the machine is shared).
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { SqliteRunStore } from "../src/store/sqlite-store.ts";
import { routeChainCase, type VariantResult } from "./overhead-cases.ts";
import { type LongRun, longRuns } from "./perf-long-run.ts";
import {
  type PausedBytes,
  pausedBytes,
  type TriageThroughput,
  triageThroughput,
} from "./perf-triage.ts";
import { type Target, targetLines } from "./report.ts";

const THROUGHPUT_TARGET = 0.9;
const ROUTE_TARGET = 1.15;
const PAUSED_BYTES_TARGET = 0.7;
const GROWTH_TARGET = 2.1;
/** `BENCH_LONG=1`: the 1,250 → 10,000 decisions (about 3 minutes more). */
const LONG_SIZES =
  process.env.BENCH_LONG === "1" ? [1250, 2500, 5000, 10_000] : [500, 1000, 2000, 4000];

export interface PerfResults {
  readonly throughput: TriageThroughput;
  readonly paused: PausedBytes;
  readonly routes: {
    readonly none: VariantResult[];
    readonly sqlite: VariantResult[];
    readonly bareCpuUs: { none: number; sqlite: number };
  };
  readonly longRuns: readonly LongRun[];
  readonly targets: readonly Target[];
  readonly markdown: string;
}

const progress = (message: string) => process.stderr.write(`bench perf: ${message}\n`);
const fixed = (value: number, digits = 2) =>
  Number.isFinite(value) ? value.toFixed(digits) : "n/a";

async function routeDecisions() {
  const scratch = mkdtempSync(join(tmpdir(), "signalbox-bench-route-"));
  const store = new SqliteRunStore(join(scratch, "route.db"));
  const walFolder = new Database(store.path);
  const settle = () => walFolder.pragma("wal_checkpoint(TRUNCATE)");
  try {
    const timing = (budgetMs: number) => ({
      warmup: 2,
      minRounds: 5,
      maxRounds: 400,
      budgetMs,
      settle,
    });
    const none = await routeChainCase({ store, timing: timing(6_000) }, 50, "none");
    const sqlite = await routeChainCase({ store, timing: timing(15_000) }, 50, "sqlite");
    return {
      none: [...none.ours],
      sqlite: [...sqlite.ours],
      bareCpuUs: { none: none.bare.cpuUsPerUnit, sqlite: sqlite.bare.cpuUsPerUnit },
    };
  } finally {
    walFolder.close();
    await store.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

function growthOf(runs: readonly LongRun[]) {
  return runs.slice(1).map((after, index) => {
    const before = runs[index] as LongRun;
    return {
      from: before.decisions,
      to: after.decisions,
      bytes: after.checkpointBytes / before.checkpointBytes,
      cpuPerDecision: after.cpuUsPerDecision / before.cpuUsPerDecision,
    };
  });
}

function judge(results: Omit<PerfResults, "targets" | "markdown">): Target[] {
  const { throughput, paused, routes } = results;
  const runsRatio = (cpuRatio: number) => 1 / cpuRatio;
  const growth = growthOf(results.longRuns);
  const worstGrowth = Math.max(...growth.map((step) => step.bytes));
  const firstCpu = results.longRuns[0]?.cpuUsPerDecision ?? Number.NaN;
  const lastCpu = results.longRuns.at(-1)?.cpuUsPerDecision ?? Number.NaN;
  const stored = routes.sqlite.find((variant) => variant.variant === "ours: + decision store");
  const detached = routes.none.find((variant) => variant.variant.startsWith("ours: detached"));
  return [
    {
      name: `support_triage runs per CPU-second ≥ ${THROUGHPUT_TARGET}× the bare twin, sequential`,
      met: runsRatio(throughput.sequential.cpuRatio) >= THROUGHPUT_TARGET,
      detail: `${fixed(runsRatio(throughput.sequential.cpuRatio))}× (CPU per run ${fixed(throughput.sequential.cpuMs)} vs ${fixed(throughput.sequential.bareCpuMs)} ms; wall ratio ${fixed(throughput.sequential.wallRatio)}×)`,
    },
    {
      name: `support_triage runs per CPU-second ≥ ${THROUGHPUT_TARGET}× the bare twin, ${throughput.concurrent.inFlight} in flight`,
      met: runsRatio(throughput.concurrent.cpuRatio) >= THROUGHPUT_TARGET,
      detail: `${fixed(runsRatio(throughput.concurrent.cpuRatio))}× (CPU per batch ${fixed(throughput.concurrent.cpuMs)} vs ${fixed(throughput.concurrent.bareCpuMs)} ms; wall ratio ${fixed(throughput.concurrent.wallRatio)}×)`,
    },
    {
      name: `bytes per run paused at approval ≤ ${PAUSED_BYTES_TARGET}× the bare twin`,
      met: paused.oursBytesPerRun / paused.bareBytesPerRun <= PAUSED_BYTES_TARGET,
      detail: `${fixed(paused.oursBytesPerRun / paused.bareBytesPerRun)}× (${Math.round(paused.oursBytesPerRun)} vs ${Math.round(paused.bareBytesPerRun)} B over ${paused.runs} runs, every table of ours vs the twin's checkpoints; checkpoint + writes rows per run ${fixed(paused.oursCheckpointRowsPerRun, 1)} vs ${fixed(paused.bareCheckpointRowsPerRun, 1)})`,
    },
    {
      name: `route decision ≤ ${ROUTE_TARGET}× a bare Command node (SqliteSaver, decisions stored)`,
      met: (stored?.cpuRatio ?? Number.POSITIVE_INFINITY) <= ROUTE_TARGET,
      detail: `CPU ${fixed(stored?.cpuRatio ?? Number.NaN)}× (${Math.round(stored?.cpuUsPerUnit ?? Number.NaN)} vs ${Math.round(routes.bareCpuUs.sqlite)} µs per decision); without a checkpointer, detached: ${fixed(detached?.cpuRatio ?? Number.NaN)}×`,
    },
    {
      name: `checkpoint bytes ≤ ×${GROWTH_TARGET} per doubling of decisions (${results.longRuns[0]?.decisions} → ${results.longRuns.at(-1)?.decisions})`,
      met: worstGrowth <= GROWTH_TARGET,
      detail: growth.map((step) => `${step.from}→${step.to}: ×${fixed(step.bytes, 3)}`).join(", "),
    },
    {
      name: "time per decision flat over the long run (last/first within 1.25×)",
      met: lastCpu / firstCpu <= 1.25,
      detail: results.longRuns
        .map((run) => `${run.decisions}: ${Math.round(run.cpuUsPerDecision)} µs CPU`)
        .join(", "),
    },
  ];
}

export async function perfSection(): Promise<PerfResults> {
  progress("support_triage vs its bare twin, sequential and 8 in flight (about 40 s)");
  const throughput = await triageThroughput(12_000);
  progress("bytes per run paused at approval");
  const paused = await pausedBytes(200);
  progress("route decisions vs bare Command nodes");
  const routes = await routeDecisions();
  progress(`long runs of ${LONG_SIZES.join("/")} decisions`);
  await longRuns([100]);
  const long = await longRuns(LONG_SIZES);
  const measured = { throughput, paused, routes, longRuns: long };
  const targets = judge(measured);
  const markdown = [
    "## Issue 12: throughput, storage, long runs (ratios measured in this run)",
    "",
    "support_triage (`examples/refund-request.json`, 9 nodes) through `Runtime.start` vs its bare",
    "twin (bench/bare-workflow.ts: the same nodes, edges and user code as a plain StateGraph) on",
    "the same SqliteSaver file, interleaved; bytes: used pages added per run of",
    "`examples/large-refund.json` paused at approval (ours: every table; twin: its checkpoints).",
    'Long runs: one route looping N times, every checkpoint kept (`checkpointHistory: "full"`).',
    "",
    "| Decisions | Checkpoint bytes | µs CPU / decision | µs wall / decision |",
    "| ---: | ---: | ---: | ---: |",
    ...long.map(
      (run) =>
        `| ${run.decisions} | ${run.checkpointBytes.toLocaleString("en-US")} | ${Math.round(run.cpuUsPerDecision)} | ${Math.round(run.wallUsPerDecision)} |`,
    ),
    "",
    targetLines(targets),
  ].join("\n");
  return { ...measured, targets, markdown };
}
