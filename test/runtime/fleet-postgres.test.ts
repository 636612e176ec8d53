import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { afterAll, afterEach, expect, it } from "vitest";
import { WorkflowRegistry } from "../../src/runtime/registry.ts";
import { Runtime } from "../../src/runtime/runtime.ts";
import type { PostgresRunStore } from "../../src/store/postgres-store.ts";
import { type Child, pollUntil } from "../fixtures/child-process.ts";
import { CRASH_INPUT, CRASH_WORKFLOW } from "../fixtures/crash-worker.ts";
import { type FleetBackend, openFleetStore } from "../fixtures/fleet-store.ts";
import { APPROVAL_WORKFLOW, fleetWorkflows } from "../fixtures/fleet-workflows.ts";
import { Ledger, readLedger } from "../fixtures/ledger.ts";
import {
  approvePending,
  expectEffectsExactlyOnce,
  killLeftovers,
  leaseExpired,
  postgresSnapshot,
  seeded,
  spawnFleet,
} from "../support/fleet.ts";
import {
  describePostgres,
  dropSchemas,
  freshSchema,
  POSTGRES_URL,
  postgresUnavailable,
} from "../support/postgres.ts";
import { tempHome } from "../support/runtime.ts";

// Real processes on one PostgreSQL schema per test; the ledger (the downstream that counts
// performances) is a file in the home all processes share, while the runs live in PostgreSQL.
const unavailable = await postgresUnavailable();
const KILL_TRIALS = 12;
const schemas: string[] = [];
const children: Child[] = [];
const cleanups: (() => void | Promise<void>)[] = [];

async function setUp() {
  const { home, cleanup } = tempHome("signalbox-fleet-pg-");
  const schema = freshSchema("fleet");
  schemas.push(schema, `${schema}_worker`);
  const backend: FleetBackend = { home, databaseUrl: POSTGRES_URL, schema };
  const { store, queue } = await openFleetStore(backend);
  const ledger = new Ledger(home);
  // Only enqueues and reads: every run is driven by a child process.
  const runtime = new Runtime({
    store,
    queue,
    workflows: new WorkflowRegistry(fleetWorkflows(ledger, 20)),
    execute: "workers",
  });
  cleanups.push(
    cleanup,
    () => ledger.close(),
    () => runtime.close(),
  );
  const spawn = (args: readonly string[], environment: Record<string, string> = {}) => {
    const child = spawnFleet(backend, args, environment);
    children.push(child);
    return child;
  };
  const enqueue = async (workflow: string, count: number) => {
    const ids: string[] = [];
    for (let index = 0; index < count; index += 1) {
      const input = workflow === CRASH_WORKFLOW ? CRASH_INPUT : { orderId: `o-${index}` };
      ids.push((await runtime.start(workflow, input, { detach: true })).id);
    }
    return ids;
  };
  return { home, schema, store: store as PostgresRunStore, spawn, enqueue };
}

/** Waits until `child` has begun an effect of its own: it is driving a run. */
function driving(home: string, child: Child): Promise<true> {
  const pid = child.process.pid;
  return pollUntil(
    "the worker to begin an effect",
    () => (readLedger(home).attempts.some((row) => row.pid === pid) ? true : undefined),
    { child },
  );
}

/** What `child`'s PostgreSQL sessions are doing (the fixture names them `fleet-<pid>`). */
async function sessionsOf(store: PostgresRunStore, child: Child) {
  const result = await store.pool.query<{ state: string; wait_event: string | null }>(
    "SELECT state, wait_event FROM pg_stat_activity WHERE application_name = $1",
    [`fleet-${child.process.pid}`],
  );
  return result.rows;
}

/**
 * With `stale` stopped (SIGSTOP): once its lease ran out a fresh worker finishes the run,
 * claiming it once more; then `stale` goes on (SIGCONT), says it lost the run, exits, and
 * writes nothing more: no row of the schema, the checkpointer's included, changes.
 */
async function takeOverFrom(
  stale: Child,
  runId: string,
  fleet: Awaited<ReturnType<typeof setUp>>,
): Promise<void> {
  const { store, schema } = fleet;
  const held = (await store.getRun(runId))?.epoch ?? 0;
  await leaseExpired(store, runId);
  // The taker's lease is long: on a loaded machine it keeps the run until it is done.
  const taker = fleet.spawn(["worker", "1", "--until-idle"], {
    FLEET_EFFECT_MS: "10",
    FLEET_LEASE_MS: "30000",
  });
  await pollUntil(
    "the taker to finish the run (does the stopped worker still lock its row?)",
    async () => ((await store.getRun(runId))?.status === "succeeded" ? true : undefined),
    { timeoutMs: 60_000 },
  );
  const took = await taker.exited;
  expect(took.code, took.stderr).toBe(0);
  expect(await store.getRun(runId)).toMatchObject({ status: "succeeded", epoch: held + 1 });
  const before = await postgresSnapshot(store.pool, schema);
  expect(Object.keys(before.counts as object)).toEqual(
    expect.arrayContaining(["checkpoints", "checkpoint_writes", "checkpoint_blobs", "runs"]),
  );
  stale.process.kill("SIGCONT");
  const finished = await stale.exited;
  expect(finished.code, finished.stderr).toBe(0);
  expect(finished.stderr).toContain("lost the run");
  expect(await postgresSnapshot(store.pool, schema)).toEqual(before);
}

describePostgres("a fleet of worker processes on one PostgreSQL schema", unavailable, () => {
  afterEach(async () => {
    await killLeftovers(children.splice(0));
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(() => dropSchemas(schemas));

  it("4 workers × concurrency 4 drive 200 queued runs: none fails, each claimed once, effects once", async () => {
    const { home, store, spawn, enqueue } = await setUp();
    const ids = await enqueue(CRASH_WORKFLOW, 200);
    // A lease far longer than any stall of a contended machine: no run changes hands here.
    const workers = Array.from({ length: 4 }, () =>
      spawn(["worker", "4", "--until-idle"], { FLEET_EFFECT_MS: "1", FLEET_LEASE_MS: "30000" }),
    );
    for (const finished of await Promise.all(workers.map((worker) => worker.exited))) {
      expect(finished.code, finished.stderr).toBe(0);
      expect(finished.stderr).not.toContain("lost the run");
    }
    const runs = await Promise.all(ids.map((id) => store.getRun(id)));
    expect(runs.map((run) => run?.status)).toEqual(ids.map(() => "succeeded"));
    // Wake-ups are duplicated on purpose (sweepers re-enqueue); the fenced claim lets one through.
    expect(runs.map((run) => run?.epoch)).toEqual(ids.map(() => 1));
    expect(await expectEffectsExactlyOnce(home, store, ids)).toBe(800);
    const { attempts, performances } = readLedger(home);
    expect([attempts.length, performances.length]).toEqual([800, 800]);
    const pids = new Set(performances.map((row) => row.pid));
    const spawned = workers.map((worker) => worker.process.pid);
    expect([...pids].every((pid) => spawned.includes(pid))).toBe(true);
    expect(pids.size, "the work spread over more than one worker").toBeGreaterThan(1);
    const share = spawned.map((pid) => performances.filter((row) => row.pid === pid).length);
    process.stderr.write(`effects performed per worker: ${share.join(", ")}\n`);
  }, 300_000);

  it(`workers SIGKILLed while driving (${KILL_TRIALS} seeded moments): others finish every run once`, async () => {
    const seed = Number(process.env.SIGNALBOX_KILL_SEED ?? 20261201);
    const random = seeded(seed);
    const { home, store, spawn, enqueue } = await setUp();
    const ids = [...(await enqueue(CRASH_WORKFLOW, 32)), ...(await enqueue(APPROVAL_WORKFLOW, 8))];
    // Long enough that a live worker keeps its runs on a loaded machine; only the killed lose theirs.
    const lease = { FLEET_EFFECT_MS: "30", FLEET_LEASE_MS: "2000" };
    /** Runs a killed worker held when it died, with the epoch it held them at. */
    const orphaned = new Map<string, number>();
    const killed = new Set<number>();
    for (let trial = 0; trial < KILL_TRIALS; trial += 1) {
      const worker = spawn(["worker", "4"], lease);
      await driving(home, worker);
      await sleep(Math.floor(random() * 300));
      worker.process.kill("SIGKILL");
      const finished = await worker.exited;
      expect(finished.signal, `trial ${trial} (seed ${seed}): ${finished.stderr}`).toBe("SIGKILL");
      killed.add(worker.process.pid ?? 0);
      for (const run of await store.listRuns({ status: "running", limit: 1000 }))
        if (run.owner?.startsWith(`${worker.process.pid}@`)) orphaned.set(run.id, run.epoch);
      if (trial % 4 === 3) await approvePending(store);
    }
    expect(orphaned.size, "kills that landed while a run was held").toBeGreaterThan(0);
    for (let round = 0; round < 4; round += 1) {
      await approvePending(store);
      const last = await spawn(["worker", "4", "--until-idle"], lease).exited;
      expect(last.code, last.stderr).toBe(0);
      if (
        (await store.listRuns({ status: ["waiting", "queued", "running"], limit: 1 })).length === 0
      )
        break;
    }
    const runs = await Promise.all(ids.map((id) => store.getRun(id)));
    expect(
      runs.map((run) => run?.status),
      `seed ${seed}`,
    ).toEqual(ids.map(() => "succeeded"));
    expect(await store.listRuns({ status: ["waiting", "queued", "running"] })).toEqual([]);
    // Every run a killed worker held was claimed again (a higher epoch) and finished by another.
    for (const [runId, epoch] of orphaned)
      expect((await store.getRun(runId))?.epoch, runId).toBeGreaterThan(epoch);
    const keys = 32 * 4 + 8 * 2;
    expect(await expectEffectsExactlyOnce(home, store, ids, killed)).toBe(keys);
    const { attempts, performances } = readLedger(home);
    process.stderr.write(
      `kill trials: ${KILL_TRIALS} (seed ${seed}), runs orphaned: ${orphaned.size}, effects cut short: ${attempts.length - performances.length}, performed but not journaled before a kill: ${performances.length - keys}\n`,
    );
  }, 480_000);

  it("a worker stopped past its lease writes nothing once another worker took its run over", async () => {
    const fleet = await setUp();
    const [runId = ""] = await fleet.enqueue(CRASH_WORKFLOW, 1);
    const stale = fleet.spawn(["worker", "1", "--until-idle"], { FLEET_EFFECT_MS: "1500" });
    await pollUntil(
      "the first effect to start",
      async () =>
        (await fleet.store.listEffects(runId)).some((effect) => effect.status === "started")
          ? true
          : undefined,
      { child: stale },
    );
    stale.process.kill("SIGSTOP");
    await takeOverFrom(stale, runId, fleet);
    // The effect it was inside may have finished downstream after SIGCONT: the one window only
    // a downstream honouring the idempotency key closes. One key either way.
    const reserve = readLedger(fleet.home).performances.filter((row) => row.node === "reserve");
    expect(reserve.length).toBeGreaterThanOrEqual(1);
    expect(new Set(reserve.map((row) => row.key)).size).toBe(1);
  }, 120_000);

  it("a worker frozen inside a transaction does not hold its run once its lease ran out", async () => {
    const fleet = await setUp();
    const { schema, store } = fleet;
    // The store's default: a transaction idle for 30 s (the default lease) is ended.
    const setting = await store.pool.query("SHOW idle_in_transaction_session_timeout");
    expect(setting.rows[0]?.idle_in_transaction_session_timeout).toBe("30s");
    const [runId = ""] = await fleet.enqueue(CRASH_WORKFLOW, 1);
    // Hold the run's event numbering lock (lockNumbering in postgres-sql.ts): the worker's
    // first event append takes the fence (its share lock on the run's row), then waits here.
    const blocker = await store.pool.connect();
    const numbering = [`${pg.escapeIdentifier(schema)}.run_events`, runId];
    await blocker.query("SELECT pg_advisory_lock(hashtext($1), hashtext($2))", numbering);
    const frozen = fleet.spawn(["worker", "1", "--until-idle"], { FLEET_EFFECT_MS: "1500" });
    await pollUntil(
      "the worker's event append to wait inside its transaction",
      async () =>
        (await sessionsOf(store, frozen)).some((session) => session.wait_event === "advisory")
          ? true
          : undefined,
      { child: frozen },
    );
    frozen.process.kill("SIGSTOP");
    // Its append now gets the lock and sits idle in its transaction, the row still locked:
    // unless PostgreSQL ends that transaction, no requeue or claim of the run ever commits.
    await blocker.query("SELECT pg_advisory_unlock(hashtext($1), hashtext($2))", numbering);
    blocker.release();
    await takeOverFrom(frozen, runId, fleet);
  }, 120_000);
});
