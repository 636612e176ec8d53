/**
 * Bytes a run writes to SQLite: our delta-channel decision log vs decisions
 * appended through an ordinary reducer channel.
 */

import { statSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { WorkflowRegistry } from "../src/runtime/registry.ts";
import { Runtime } from "../src/runtime/runtime.ts";
import { SqliteRunStore } from "../src/store/sqlite-store.ts";
import { BENCH_INPUT, bareDecisionLoop, decisionLoopWorkflow } from "./bench-graphs.ts";

/** What one run left in its SQLite file. */
export interface StoredBytes {
  readonly steps: number;
  /** length(checkpoint) + length(metadata) over `checkpoints`, plus length(value) over `writes`. */
  readonly checkpointBytes: number;
  readonly checkpointRows: number;
  readonly writeRows: number;
  /** length(record) over our `decisions` table (the queryable decision log); 0 for bare. */
  readonly decisionLogBytes: number;
  /** The database file after closing (WAL folded in). */
  readonly fileBytes: number;
  readonly runMs: number;
  readonly decisions: number;
}

export interface BytesComparison {
  readonly steps: number;
  readonly bare: StoredBytes;
  readonly ours: StoredBytes;
}

function inspect(path: string, steps: number, runMs: number, decisions: number): StoredBytes {
  const fileBytes = statSync(path).size;
  const db = new Database(path);
  try {
    const checkpoints = db
      .prepare(
        "SELECT COUNT(*) AS rows, COALESCE(SUM(length(checkpoint) + length(metadata)), 0) AS bytes FROM checkpoints",
      )
      .get() as { rows: number; bytes: number };
    const writes = db
      .prepare("SELECT COUNT(*) AS rows, COALESCE(SUM(length(value)), 0) AS bytes FROM writes")
      .get() as { rows: number; bytes: number };
    const log = db
      .prepare("SELECT COALESCE(SUM(length(record)), 0) AS bytes FROM decisions")
      .get() as { bytes: number };
    return {
      steps,
      checkpointBytes: checkpoints.bytes + writes.bytes,
      checkpointRows: checkpoints.rows,
      writeRows: writes.rows,
      decisionLogBytes: log.bytes,
      fileBytes,
      runMs,
      decisions,
    };
  } finally {
    db.close();
  }
}

async function runBare(directory: string, steps: number): Promise<StoredBytes> {
  const path = join(directory, `bare-${steps}.db`);
  // A run store only for its SQLite settings, so both sides use the same pragmas.
  const store = new SqliteRunStore(path);
  const graph = bareDecisionLoop(steps, store.checkpointer);
  const started = performance.now();
  const final = await graph.invoke(
    { input: BENCH_INPUT },
    { configurable: { thread_id: `bare-${steps}` }, recursionLimit: steps + 10 },
  );
  const runMs = performance.now() - started;
  await store.close();
  return inspect(path, steps, runMs, (final.decisions as unknown[]).length);
}

async function runOurs(directory: string, steps: number): Promise<StoredBytes> {
  const path = join(directory, `ours-${steps}.db`);
  const store = new SqliteRunStore(path);
  const workflow = decisionLoopWorkflow(steps);
  const runtime = new Runtime({ store, workflows: new WorkflowRegistry([workflow]) });
  const started = performance.now();
  const run = await runtime.start(workflow.name, BENCH_INPUT);
  const runMs = performance.now() - started;
  if (run.status !== "succeeded") throw new Error(`loop run ${run.status}: ${run.error}`);
  const decisions = (await runtime.get(run.id)).decisions.length;
  await runtime.close();
  return inspect(path, steps, runMs, decisions);
}

/** Runs the decision loop for each step count, bare and ours, each in a fresh file. */
export async function measureCheckpointBytes(
  directory: string,
  stepCounts: readonly number[],
): Promise<BytesComparison[]> {
  const results: BytesComparison[] = [];
  for (const steps of stepCounts) {
    const bare = await runBare(directory, steps);
    const ours = await runOurs(directory, steps);
    for (const [name, stored] of [
      ["bare", bare],
      ["ours", ours],
    ] as const) {
      if (stored.decisions !== steps)
        throw new Error(`${name} loop of ${steps} made ${stored.decisions} decisions`);
    }
    results.push({ steps, bare, ours });
  }
  return results;
}
