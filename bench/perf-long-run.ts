/**
 * Long runs: one route looping back to itself N times (a decision per step), driven
 * by the Runtime over SQLite with every checkpoint kept (`checkpointHistory: "full"`),
 * so the bytes are all a run writes, not what is left after pruning.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { WorkflowRegistry } from "../src/runtime/registry.ts";
import { Runtime } from "../src/runtime/runtime.ts";
import { SqliteRunStore } from "../src/store/sqlite-store.ts";
import { BENCH_INPUT, decisionLoopWorkflow } from "./bench-graphs.ts";

export interface LongRun {
  readonly decisions: number;
  /** length(checkpoint)+length(metadata) over `checkpoints`, plus length(value) over `writes`. */
  readonly checkpointBytes: number;
  readonly cpuUsPerDecision: number;
  readonly wallUsPerDecision: number;
}

function checkpointBytes(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    const row = db
      .prepare(
        `SELECT (SELECT COALESCE(SUM(length(checkpoint) + length(metadata)), 0) FROM checkpoints)
              + (SELECT COALESCE(SUM(length(value)), 0) FROM writes) AS bytes`,
      )
      .get() as { bytes: number };
    return row.bytes;
  } finally {
    db.close();
  }
}

async function longRun(directory: string, steps: number): Promise<LongRun> {
  const path = join(directory, `loop-${steps}.db`);
  // NORMAL: the run's own cost per decision, not the disk's fsync per commit.
  const store = new SqliteRunStore(path, { checkpointHistory: "full", synchronous: "NORMAL" });
  const workflow = decisionLoopWorkflow(steps);
  const runtime = new Runtime({ store, workflows: new WorkflowRegistry([workflow]) });
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const run = await runtime.start(workflow.name, BENCH_INPUT);
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  if (run.status !== "succeeded") throw new Error(`loop of ${steps}: ${run.status} ${run.error}`);
  const made = (await runtime.decisions({ runId: run.id, limit: steps + 10 })).length;
  if (made !== steps) throw new Error(`loop of ${steps} made ${made} decisions`);
  await runtime.close();
  await store.close();
  return {
    decisions: steps,
    checkpointBytes: checkpointBytes(path),
    cpuUsPerDecision: ((cpu.user + cpu.system) * 1) / steps,
    wallUsPerDecision: (wallMs * 1000) / steps,
  };
}

/** One run per size, in a fresh file each. */
export async function longRuns(sizes: readonly number[]): Promise<LongRun[]> {
  const directory = mkdtempSync(join(tmpdir(), "signalbox-bench-long-"));
  try {
    const results: LongRun[] = [];
    for (const steps of sizes) results.push(await longRun(directory, steps));
    return results;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
