import { join } from "node:path";
import Database from "better-sqlite3";
import { expect } from "vitest";
import type { RunStore } from "../../src/store/types.ts";
import { type Child, pollUntil, spawnTs } from "../fixtures/child-process.ts";
import { type FleetBackend, fleetEnvironment } from "../fixtures/fleet-store.ts";
import { readLedger } from "../fixtures/ledger.ts";

const FLEET = "test/fixtures/fleet-worker.ts";

/** Starts a fleet process (see test/fixtures/fleet-worker.ts) on `backend`. */
export function spawnFleet(
  backend: FleetBackend,
  args: readonly string[],
  environment: Record<string, string> = {},
): Child {
  const [mode, ...rest] = args;
  return spawnTs(FLEET, [mode ?? "", backend.home, ...rest], {
    ...fleetEnvironment(backend),
    ...environment,
  });
}

/** Waits for a worker to print "ready". */
export function workerReady(child: Child): Promise<true> {
  return pollUntil(
    "the worker to start",
    () => (child.stdout().includes("ready") ? true : undefined),
    {
      child,
    },
  );
}

/** Waits until `runId`'s lease has run out, so another worker may claim it. */
export function leaseExpired(store: RunStore, runId: string): Promise<true> {
  return pollUntil("the lease to run out", async () =>
    (await store.claimableRuns(1000)).includes(runId) ? true : undefined,
  );
}

/**
 * Every effect the journal says completed was performed exactly once downstream
 * (counted in the ledger, which does not deduplicate), and nothing else was performed.
 */
export async function expectEffectsExactlyOnce(
  home: string,
  store: RunStore,
  runIds: readonly string[],
): Promise<number> {
  const performed = readLedger(home).performances.map((row) => row.key);
  const completed: string[] = [];
  for (const runId of runIds)
    for (const effect of await store.listEffects(runId))
      if (effect.status === "completed") completed.push(effect.key);
  expect(performed.length, "performances").toBe(new Set(performed).size);
  expect([...performed].sort()).toEqual([...completed].sort());
  return performed.length;
}

/** Row counts of everything a driver writes in the SQLite store (a snapshot to compare). */
export function storeSnapshot(home: string): Record<string, unknown> {
  const db = new Database(join(home, "signalbox.db"), { readonly: true });
  try {
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    return {
      checkpoints: count("SELECT COUNT(*) AS n FROM checkpoints"),
      writes: count("SELECT COUNT(*) AS n FROM writes"),
      decisions: count("SELECT COUNT(*) AS n FROM decisions"),
      events: count("SELECT COUNT(*) AS n FROM run_events"),
      effects: db.prepare("SELECT key, status, epoch FROM effects ORDER BY key").all(),
      runs: db.prepare("SELECT id, status, owner, epoch, updated_at FROM runs ORDER BY id").all(),
    };
  } finally {
    db.close();
  }
}
