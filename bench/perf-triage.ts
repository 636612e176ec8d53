/**
 * support_triage against its bare twin (bench/bare-workflow.ts) over the same
 * SqliteSaver: runs per CPU-second one at a time and 8 in flight, measured
 * interleaved in this process; and the bytes a run paused at approval leaves.
 */

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { CompiledWorkflow } from "../src/graph/workflow.ts";
import { WorkflowRegistry } from "../src/runtime/registry.ts";
import { Runtime } from "../src/runtime/runtime.ts";
import { SqliteRunStore } from "../src/store/sqlite-store.ts";
import { createBuiltinWorkflows } from "../src/workflows/index.ts";
import { bareTwin } from "./bare-workflow.ts";
import { interleave, type Summary } from "./measure.ts";

const example = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../examples/${name}.json`, import.meta.url), "utf8"));
/** A duplicate charge refunded below the approval limit: 9 nodes, succeeds. */
const REFUND = example("refund-request");
/** 1,200 EUR: pauses at `approve_refund`. */
const LARGE_REFUND = example("large-refund");

export interface TriageThroughput {
  readonly sequential: Summary & { readonly bareCpuMs: number };
  readonly concurrent: Summary & { readonly bareCpuMs: number; readonly inFlight: number };
}

export interface PausedBytes {
  readonly runs: number;
  readonly oursBytesPerRun: number;
  readonly bareBytesPerRun: number;
  readonly oursCheckpointRowsPerRun: number;
  readonly bareCheckpointRowsPerRun: number;
}

let threads = 0;
const thread = (prefix: string) => ({ configurable: { thread_id: `${prefix}-${++threads}` } });

function triage(home: string): CompiledWorkflow {
  const [workflow] = createBuiltinWorkflows({ home });
  if (workflow === undefined) throw new Error("support_triage is not shipped");
  return workflow;
}

/** Runs per CPU time, ours (Runtime.start) vs the bare twin, sequential and `inFlight` at once. */
export async function triageThroughput(budgetMs: number, inFlight = 8): Promise<TriageThroughput> {
  const home = mkdtempSync(join(tmpdir(), "signalbox-bench-triage-"));
  const store = new SqliteRunStore(join(home, "signalbox.db"));
  const walFolder = new Database(store.path);
  try {
    const workflow = triage(home);
    const runtime = new Runtime({ store, workflows: new WorkflowRegistry([workflow]) });
    const bare = bareTwin(workflow, store.checkpointer);
    const ours = async () => {
      const run = await runtime.start(workflow.name, REFUND, { trigger: "bench" });
      if (run.status !== "succeeded") throw new Error(`triage run ${run.status}: ${run.error}`);
    };
    const bareRun = async () => {
      const final = await bare.invoke({ input: REFUND }, thread("bare"));
      if (final.output === undefined) throw new Error("bare triage ended without output");
    };
    const batch = (one: () => Promise<void>, size: number) => async () => {
      await Promise.all(Array.from({ length: size }, one));
    };
    const timing = {
      warmup: 3,
      minRounds: 8,
      maxRounds: 400,
      budgetMs,
      settle: () => walFolder.pragma("wal_checkpoint(TRUNCATE)"),
    };
    const sequential = await interleave({ bare: batch(bareRun, 1), ours: batch(ours, 1) }, "bare", {
      ...timing,
      maxRounds: 2_000,
    });
    const concurrent = await interleave(
      { bare: batch(bareRun, inFlight), ours: batch(ours, inFlight) },
      "bare",
      timing,
    );
    await runtime.close();
    return {
      sequential: { ...sequential.ours, bareCpuMs: sequential.bare.cpuMs },
      concurrent: { ...concurrent.ours, bareCpuMs: concurrent.bare.cpuMs, inFlight },
    };
  } finally {
    walFolder.close();
    await store.close();
    rmSync(home, { recursive: true, force: true });
  }
}

/** Pages in use (free pages excluded) once the WAL is folded in. */
function usedBytes(path: string): { bytes: number; checkpointRows: number } {
  const db = new Database(path);
  try {
    db.pragma("wal_checkpoint(TRUNCATE)");
    const pageSize = db.pragma("page_size", { simple: true }) as number;
    const pages = db.pragma("page_count", { simple: true }) as number;
    const free = db.pragma("freelist_count", { simple: true }) as number;
    // The SQLite saver creates its tables on first use: none yet counts as no rows.
    const tables = db
      .prepare(
        "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('checkpoints', 'writes')",
      )
      .get() as { n: number };
    const rows =
      tables.n < 2
        ? { n: 0 }
        : (db
            .prepare(
              "SELECT (SELECT COUNT(*) FROM checkpoints) + (SELECT COUNT(*) FROM writes) AS n",
            )
            .get() as { n: number });
    return { bytes: (pages - free) * pageSize, checkpointRows: rows.n };
  } finally {
    db.close();
  }
}

/**
 * `runs` runs of the large refund, each paused at approval, in a fresh file per side:
 * ours through the Runtime (runs, decisions, approvals, events, checkpoints), bare
 * through its twin (checkpoints only). Bytes are the growth of the used pages.
 */
export async function pausedBytes(runs: number): Promise<PausedBytes> {
  const home = mkdtempSync(join(tmpdir(), "signalbox-bench-paused-"));
  try {
    const workflow = triage(home);
    const oursPath = join(home, "ours.db");
    const oursStore = new SqliteRunStore(oursPath);
    const runtime = new Runtime({ store: oursStore, workflows: new WorkflowRegistry([workflow]) });
    const oursBefore = usedBytes(oursPath);
    for (let index = 0; index < runs; index += 1) {
      const run = await runtime.start(workflow.name, LARGE_REFUND, { trigger: "bench" });
      if (run.status !== "waiting") throw new Error(`large refund ${run.status}, not waiting`);
    }
    await runtime.close();
    await oursStore.close();
    const oursAfter = usedBytes(oursPath);

    const barePath = join(home, "bare.db");
    const bareStore = new SqliteRunStore(barePath);
    const bare = bareTwin(workflow, bareStore.checkpointer);
    const bareBefore = usedBytes(barePath);
    for (let index = 0; index < runs; index += 1) {
      const final = await bare.invoke({ input: LARGE_REFUND }, thread("paused"));
      if (!Array.isArray(final.__interrupt__)) throw new Error("bare large refund did not pause");
    }
    await bareStore.close();
    const bareAfter = usedBytes(barePath);
    return {
      runs,
      oursBytesPerRun: (oursAfter.bytes - oursBefore.bytes) / runs,
      bareBytesPerRun: (bareAfter.bytes - bareBefore.bytes) / runs,
      oursCheckpointRowsPerRun: oursAfter.checkpointRows / runs,
      bareCheckpointRowsPerRun: bareAfter.checkpointRows / runs,
    };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
