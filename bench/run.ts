/**
 * Overhead benchmarks: our step and route wrappers vs bare LangGraph nodes,
 * and checkpoint bytes of a long run (delta-channel decision log vs a plain
 * reducer channel). Every comparison interleaves its variants in this one
 * process; wall and CPU medians are reported with the ratio ours/bare.
 * Then the queue and its worker processes on SQLite and PostgreSQL (bench/queue-workers.ts).
 *
 * Run: npm run bench   (prints markdown tables, writes bench/results/latest.json)
 *      BENCH_ONLY=queue npm run bench   (the queue section alone; updates its part of latest.json)
 *      BENCH_ONLY=perf npm run bench    (issue 12: throughput, bytes, route, long runs; BENCH_LONG=1 to 10,000 decisions)
 *      BENCH_ONLY=dashboard npm run bench   (the dashboard's /api/runs paging over 100,000 runs)
 *      BENCH_ONLY=triggers npm run bench   (webhooks, files, media_intake alone; likewise)
 *      BENCH_ONLY=agent npm run bench   (one agent step vs createReactAgent; likewise)
 *      BENCH_ONLY=startup npm run bench (CLI cold starts vs node -e 0 and a bare LangGraph import)
 *      BENCH_ONLY=eval npm run bench    (issue 12: eval overhead per case outside the decider)
 *      BENCH_ONLY=serve-memory npm run bench   (issue 12: serve RSS vs the bare SDK; npm run build first)
 *      BENCH_ONLY=serve-sessions npm run bench (issue 12: 20 concurrent MCP sessions; npm run build first)
 *      BENCH_ONLY=mcp npm run bench     (issue 12: MCP tools/call, ours vs the bare SDK, stdio and HTTP)
 */

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { SqliteRunStore } from "../src/store/sqlite-store.ts";
import { agentTurn } from "./agent-turn.ts";
import { measureCheckpointBytes } from "./checkpoint-bytes.ts";
import { dashboardPaging } from "./dashboard-paging.ts";
import { evalOverhead } from "./eval-overhead.ts";
import { evalThroughput } from "./eval-throughput.ts";
import { mcpLatency } from "./mcp-latency.ts";
import type { InterleaveOptions } from "./measure.ts";
import {
  type CaseResult,
  routeChainCase,
  stepChainCase,
  type VariantResult,
} from "./overhead-cases.ts";
import { perfSection } from "./perf-section.ts";
import type { QueueResults } from "./queue-results.ts";
import { queueWorkers } from "./queue-workers.ts";
import {
  bytesTable,
  type MarginalCost,
  overheadTable,
  type Target,
  targetLines,
} from "./report.ts";
import { routingTiers } from "./routing-tiers.ts";
import { serveMemory } from "./serve-memory.ts";
import { serveSessions } from "./serve-sessions.ts";
import { startupBench } from "./startup.ts";
import { triggerBench } from "./triggers.ts";

const STEP_TARGET = 1.15;
/** bytes(200)/bytes(100): ~2 is linear growth, ~4 quadratic. */
const LINEAR_GROWTH_LIMIT = 3;
const SHORT_CHAIN = 10;
const LONG_CHAIN = 100;
const ROUTES = 50;
const BYTE_STEPS = [50, 100, 200] as const;

const resultsDirectory = join(dirname(fileURLToPath(import.meta.url)), "results");
const resultsFile = join(resultsDirectory, "latest.json");
/** Sections that can run alone: `BENCH_ONLY=queue`. */
const ONLY = process.env.BENCH_ONLY ?? "";

const progress = (message: string) => process.stderr.write(`bench: ${message}\n`);

/** Measuring budgets per case, sized for about 1.5 minutes in all on 2 cores. */
function timing(budgetMs: number, settle: () => void): InterleaveOptions {
  return { warmup: 2, minRounds: 5, maxRounds: 400, budgetMs, settle };
}

const byVariant = (result: CaseResult, variant: string): VariantResult => {
  const found = result.ours.find((ours) => ours.variant === variant);
  if (found === undefined) throw new Error(`${result.id} has no variant "${variant}"`);
  return found;
};

function marginal(short: CaseResult, long: CaseResult): MarginalCost {
  const extra = long.units - short.units;
  const slope = (before: VariantResult, after: VariantResult) => ({
    wallUs: ((after.wallMs - before.wallMs) * 1000) / extra,
    cpuUs: ((after.cpuMs - before.cpuMs) * 1000) / extra,
  });
  return {
    checkpointer: long.checkpointer,
    fromNodes: short.units,
    toNodes: long.units,
    bare: slope(short.bare, long.bare),
    ours: slope(byVariant(short, "ours: graph.invoke"), byVariant(long, "ours: graph.invoke")),
  };
}

/** Judged on CPU time: on a shared machine wall time also counts other processes' turns. */
function stepTarget(result: CaseResult): Target {
  const ours = byVariant(result, "ours: graph.invoke");
  return {
    name: `step wrapper ≤ ${STEP_TARGET}× bare per node (${result.label}, ${result.checkpointer === "sqlite" ? "SqliteSaver" : "no checkpointer"})`,
    met: ours.cpuRatio <= STEP_TARGET,
    detail: `CPU ${ours.cpuRatio.toFixed(2)}× (${Math.round(ours.cpuUsPerUnit)} vs ${Math.round(result.bare.cpuUsPerUnit)} µs/node); wall ${ours.wallRatio.toFixed(2)}×`,
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  const loadBefore = loadavg();
  const scratch = mkdtempSync(join(tmpdir(), "signalbox-bench-"));
  const store = new SqliteRunStore(join(scratch, "overhead.db"));
  // A second connection folds the WAL back between timed calls, so no variant pays for another's pages.
  const walFolder = new Database(store.path);
  const settle = () => {
    walFolder.pragma("wal_checkpoint(TRUNCATE)");
  };
  try {
    const cases: CaseResult[] = [];
    const steps = async (
      nodes: number,
      checkpointer: "none" | "sqlite",
      budgetMs: number,
      endToEnd = false,
    ) => {
      progress(`step chain of ${nodes}, checkpointer ${checkpointer}`);
      const setup = { store, timing: timing(budgetMs, settle) };
      const result = await stepChainCase(setup, nodes, checkpointer, endToEnd);
      cases.push(result);
      return result;
    };
    const shortNone = await steps(SHORT_CHAIN, "none", 6_000);
    const longNone = await steps(LONG_CHAIN, "none", 12_000);
    const shortSqlite = await steps(SHORT_CHAIN, "sqlite", 9_000, true);
    const longSqlite = await steps(LONG_CHAIN, "sqlite", 20_000);
    for (const [checkpointer, budgetMs] of [
      ["none", 8_000],
      ["sqlite", 19_000],
    ] as const) {
      progress(`route chain of ${ROUTES}, checkpointer ${checkpointer}`);
      const setup = { store, timing: timing(budgetMs, settle) };
      cases.push(await routeChainCase(setup, ROUTES, checkpointer));
    }
    progress(`checkpoint bytes at ${BYTE_STEPS.join("/")} decisions`);
    const bytes = await measureCheckpointBytes(scratch, BYTE_STEPS);
    const marginals = [marginal(shortNone, longNone), marginal(shortSqlite, longSqlite)];
    progress("routing cost per cascade tier");
    const tiers = await routingTiers();
    progress("MCP tools/call latency, ours vs the bare SDK (about 50 s)");
    const mcp = await mcpLatency();
    progress("eval throughput, offline");
    const evals = await evalThroughput();

    const [, hundred, twoHundred] = bytes;
    if (hundred === undefined || twoHundred === undefined) throw new Error("missing byte results");
    const oursGrowth = twoHundred.ours.checkpointBytes / hundred.ours.checkpointBytes;
    const bareGrowth = twoHundred.bare.checkpointBytes / hundred.bare.checkpointBytes;
    const targets: Target[] = [
      ...[shortNone, longNone, shortSqlite, longSqlite].map(stepTarget),
      {
        name: `checkpoint bytes grow linearly with decisions (bytes(200)/bytes(100) < ${LINEAR_GROWTH_LIMIT})`,
        met: oursGrowth < LINEAR_GROWTH_LIMIT,
        detail: `ours ${oursGrowth.toFixed(2)}× vs bare ${bareGrowth.toFixed(2)}×; at 200 decisions ours writes ${(twoHundred.ours.checkpointBytes / twoHundred.bare.checkpointBytes).toFixed(3)}× the bare bytes`,
      },
    ];
    const routeNotes = cases
      .filter((result) => result.unit === "decision")
      .flatMap((result) =>
        result.ours.map(
          (ours) =>
            `info (no target)  route decision, ${result.checkpointer === "sqlite" ? "SqliteSaver" : "no checkpointer"}, ${ours.variant.replace(/^ours: /, "")}: ${Math.round(ours.cpuUsPerUnit)} vs ${Math.round(result.bare.cpuUsPerUnit)} µs CPU per decision (${ours.cpuRatio.toFixed(2)}×)`,
        ),
      );

    const loadAfter = loadavg();
    const durationS = (performance.now() - started) / 1000;
    const environment = {
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? "unknown",
      loadAverage1mBefore: loadBefore[0],
      loadAverage1mAfter: loadAfter[0],
      durationS,
    };
    const output = [
      `## Overhead vs bare LangGraph (${environment.node}, ${environment.cpus} CPUs, load ${loadBefore[0]?.toFixed(1)} → ${loadAfter[0]?.toFixed(1)}, ${durationS.toFixed(0)} s)`,
      "",
      "Medians of interleaved rounds (WAL checkpointed, untimed, before every call); wall and CPU",
      "(process.cpuUsage) per node or decision; ratios are medians of same-round ours/bare pairs.",
      "Bare: hand-written StateGraph over the same StateSchema. Ours via graph.invoke: the compiled",
      "workflow invoked as RunDriver does (thread_id + run context); Runtime.start: end to end.",
      "",
      overheadTable(cases, marginals),
      "",
      `## Checkpoint bytes: one route looping ${BYTE_STEPS.at(-1)} times, one decision per step`,
      "",
      bytesTable(bytes),
      "",
      "Bytes: length(checkpoint)+length(metadata) in `checkpoints` plus length(value) in `writes`.",
      "Ours keeps decisions in the store's decision log, not in graph state, and keeps only the newest",
      "checkpoint once the run settles; bare appends them through a ReducedValue concat channel, so",
      "every checkpoint repeats the whole list.",
      "",
      tiers,
      "",
      mcp.markdown,
      "",
      evals,
      "",
      targetLines(targets),
      ...routeNotes,
    ].join("\n");
    console.log(output);
    const perf = await perfSection();
    console.log(`\n${perf.markdown}`);
    progress("eval overhead per case (issue 12)");
    const evalSection = await evalOverhead();
    console.log(`\n${evalSection.markdown}`);
    progress("serve memory and 20 concurrent MCP sessions (issue 12; needs npm run build)");
    const memory = await serveMemory();
    console.log(`\n${memory.markdown}`);
    const sessions = await serveSessions();
    console.log(`\n${sessions.markdown}`);
    progress("queue and workers on SQLite and PostgreSQL (about 4 minutes)");
    const queue = await queueWorkers();
    console.log(`\n${queue.markdown}`);
    writeResults({
      generatedAt: new Date().toISOString(),
      environment,
      overhead: cases,
      marginalPerNode: marginals,
      checkpointBytes: bytes,
      targets,
      markdown: output,
      perf: { generatedAt: new Date().toISOString(), ...perf },
      evalOverhead: evalSection,
      serveMemory: memory,
      serveSessions: sessions,
      mcpLatency: mcp,
      queueWorkers: queueSection(queue),
    });
  } finally {
    walFolder.close();
    await store.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The queue section as latest.json keeps it: its own time, environment, targets and tables. */
function queueSection(queue: QueueResults) {
  return { generatedAt: new Date().toISOString(), ...queue };
}

function writeResults(results: Record<string, unknown>): void {
  mkdirSync(resultsDirectory, { recursive: true });
  writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwrote ${resultsFile}`);
}

/** `BENCH_ONLY=queue`: the queue section alone, replacing only its part of latest.json. */
async function queueOnly(): Promise<void> {
  const queue = await queueWorkers();
  console.log(queue.markdown);
  mergeResults({ queueWorkers: queueSection(queue) });
}

/** `BENCH_ONLY=perf`: the issue-12 section alone, replacing only its part of latest.json. */
async function perfOnly(): Promise<void> {
  const perf = await perfSection();
  console.log(perf.markdown);
  mergeResults({ perf: { generatedAt: new Date().toISOString(), ...perf } });
}

/** `BENCH_ONLY=corrections`: the Banking77 correction curve (issue 17), its part of latest.json. */
async function correctionsOnly(): Promise<void> {
  const { correctionsSection } = await import("./corrections-banking77.ts");
  const section = await correctionsSection();
  console.log(section.markdown);
  mergeResults({ corrections: section });
}

/** Replaces only the given sections of latest.json, keeping the others. */
function mergeResults(sections: Record<string, unknown>): void {
  const previous: Record<string, unknown> = existsSync(resultsFile)
    ? JSON.parse(readFileSync(resultsFile, "utf8"))
    : {};
  writeResults({ ...previous, ...sections });
}

/** `BENCH_ONLY=startup`: CLI cold starts alone, replacing only their part of latest.json. */
async function startupOnly(): Promise<void> {
  const startup = await startupBench();
  console.log(`${startup.markdown}\n\n${targetLines(startup.targets)}`);
  mergeResults({ startup });
}

/** `BENCH_ONLY=agent`: one agent step vs the prebuilt LangGraph agent (issue 16). */
async function agentOnly(): Promise<void> {
  const agent = await agentTurn();
  console.log(agent.markdown);
  mergeResults({
    agentTurn: { generatedAt: new Date().toISOString(), cpus: cpus().length, ...agent.results },
  });
}

/** `BENCH_ONLY=triggers`: webhooks, files and media_intake alone, replacing only their part of latest.json. */
async function triggersOnly(): Promise<void> {
  const triggers = await triggerBench(progress);
  console.log(triggers.markdown);
  mergeResults({
    triggers: {
      generatedAt: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      ...triggers,
    },
  });
}

/** `BENCH_ONLY=dashboard`: the runs list paging, replacing only its part of latest.json. */
async function dashboardOnly(): Promise<void> {
  const dashboard = await dashboardPaging();
  console.log(dashboard.markdown);
  mergeResults({ dashboard: { generatedAt: new Date().toISOString(), ...dashboard } });
}

/** `BENCH_ONLY=eval`: eval overhead per case outside the decider (issue 12), its part of latest.json. */
async function evalOnly(): Promise<void> {
  const section = await evalOverhead();
  console.log(section.markdown);
  mergeResults({ evalOverhead: section });
}

/** `BENCH_ONLY=serve-memory`: serve's RSS vs the bare SDK server (issue 12), its part of latest.json. */
async function serveMemoryOnly(): Promise<void> {
  const section = await serveMemory();
  console.log(section.markdown);
  mergeResults({ serveMemory: section });
}

/** `BENCH_ONLY=serve-sessions`: 20 concurrent MCP sessions on serve (issue 12), its part of latest.json. */
async function serveSessionsOnly(): Promise<void> {
  const section = await serveSessions();
  console.log(section.markdown);
  mergeResults({ serveSessions: section });
}

/** `BENCH_ONLY=mcp`: MCP tools/call, ours vs the bare SDK (issue 12), its part of latest.json. */
async function mcpOnly(): Promise<void> {
  const section = await mcpLatency();
  console.log(section.markdown);
  mergeResults({ mcpLatency: section });
}

const ALONE: Record<string, () => Promise<void>> = {
  mcp: mcpOnly,
  eval: evalOnly,
  "serve-memory": serveMemoryOnly,
  "serve-sessions": serveSessionsOnly,
  queue: queueOnly,
  perf: perfOnly,
  corrections: correctionsOnly,
  dashboard: dashboardOnly,
  triggers: triggersOnly,
  agent: agentOnly,
  startup: startupOnly,
};

if (ONLY === "") await main();
else {
  const section = ALONE[ONLY];
  if (section === undefined) {
    throw new Error(
      `BENCH_ONLY=${ONLY}: the sections that run alone are: ${Object.keys(ALONE).join(", ")}`,
    );
  }
  await section();
}
