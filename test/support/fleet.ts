import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
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

export { seeded } from "./seeded.ts";

/** SIGKILLs every child still alive (stopped ones too), so a failed test leaves no process behind. */
export async function killLeftovers(children: readonly Child[]): Promise<void> {
  const alive = children.filter(
    (child) => child.process.exitCode === null && child.process.signalCode === null,
  );
  for (const child of alive) child.process.kill("SIGKILL");
  await Promise.all(alive.map((child) => child.exited.catch(() => undefined)));
}

/** Approves every pending approval (as "tester"), making its run queued again. */
export async function approvePending(store: RunStore): Promise<void> {
  for (const approval of await store.listApprovals({ status: "pending" }))
    await store.decideApproval(approval.id, {
      status: "approved",
      decidedBy: "tester",
      decidedAt: new Date().toISOString(),
      comment: null,
    });
}

/** Waits until `runId`'s lease has run out, so another worker may claim it. */
export function leaseExpired(store: RunStore, runId: string): Promise<true> {
  return pollUntil("the lease to run out", async () =>
    (await store.claimableRuns(1000)).includes(runId) ? true : undefined,
  );
}

/**
 * Every effect the journal says completed was performed downstream, and nothing else was,
 * counted in the ledger (which does not deduplicate). Each key is performed once, except
 * where a process was SIGKILLed after performing an effect and before journaling it: the
 * window a downstream honouring the idempotency key closes. Those repeats are allowed only
 * when the earlier performance came from a process in `killed`, and never twice from one
 * process. Returns how many keys were performed and how many repeats that window caused.
 */
export async function expectEffectsExactlyOnce(
  home: string,
  store: RunStore,
  runIds: readonly string[],
  killed: ReadonlySet<number> = new Set(),
): Promise<number> {
  const byKey = new Map<string, number[]>();
  for (const row of readLedger(home).performances)
    byKey.set(row.key, [...(byKey.get(row.key) ?? []), row.pid]);
  const completed: string[] = [];
  for (const runId of runIds)
    for (const effect of await store.listEffects(runId))
      if (effect.status === "completed") completed.push(effect.key);
  expect([...byKey.keys()].sort()).toEqual([...completed].sort());
  for (const [key, pids] of byKey) {
    const earlier = pids.slice(0, -1);
    expect(
      earlier.every((pid) => killed.has(pid)) && new Set(pids).size === pids.length,
      `${key} performed by ${pids.join(", ")}`,
    ).toBe(true);
  }
  return byKey.size;
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

/**
 * Row counts of every table in a PostgreSQL schema (signalbox's and the checkpointer's),
 * plus the rows of runs and effects, whose updates would not change a count.
 */
export async function postgresSnapshot(
  pool: pg.Pool,
  schema: string,
): Promise<Record<string, unknown>> {
  const tables = await pool.query<{ name: string }>(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1",
    [schema],
  );
  const quoted = (table: string) => `${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(table)}`;
  const counts: Record<string, number> = {};
  for (const { name } of tables.rows) {
    const result = await pool.query(`SELECT COUNT(*)::int AS n FROM ${quoted(name)}`);
    counts[name] = result.rows[0].n as number;
  }
  const rows = async (sql: string) => (await pool.query(sql)).rows;
  return {
    counts,
    effects: await rows(`SELECT key, status, epoch FROM ${quoted("effects")} ORDER BY key`),
    runs: await rows(
      `SELECT id, status, owner, epoch, updated_at FROM ${quoted("runs")} ORDER BY id`,
    ),
  };
}
