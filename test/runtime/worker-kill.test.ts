import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, expect, it } from "vitest";
import { WorkflowRegistry } from "../../src/runtime/registry.ts";
import { Runtime } from "../../src/runtime/runtime.ts";
import { SqliteRunStore } from "../../src/store/sqlite-store.ts";
import { CRASH_INPUT, CRASH_WORKFLOW } from "../fixtures/crash-worker.ts";
import { APPROVAL_WORKFLOW, fleetWorkflows } from "../fixtures/fleet-workflows.ts";
import { Ledger, readLedger } from "../fixtures/ledger.ts";
import {
  approvePending,
  expectEffectsExactlyOnce,
  seeded,
  spawnFleet,
  workerReady,
} from "../support/fleet.ts";
import { tempHome } from "../support/runtime.ts";

const TRIALS = 30;

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it(`workers SIGKILLed at ${TRIALS} random moments: every run finishes, each effect performed once by a live worker`, async () => {
  const seed = Number(process.env.SIGNALBOX_KILL_SEED ?? 20261130);
  const random = seeded(seed);
  const { home, cleanup } = tempHome("signalbox-kill-");
  const store = new SqliteRunStore(join(home, "signalbox.db"));
  const ledger = new Ledger(home);
  const runtime = new Runtime({
    store,
    workflows: new WorkflowRegistry(fleetWorkflows(ledger, 30)),
    execute: "workers",
  });
  cleanups.push(
    cleanup,
    () => ledger.close(),
    () => runtime.close(),
  );
  const ids: string[] = [];
  for (let index = 0; index < 24; index += 1)
    ids.push((await runtime.start(CRASH_WORKFLOW, CRASH_INPUT, { detach: true })).id);
  for (let index = 0; index < 6; index += 1)
    ids.push(
      (await runtime.start(APPROVAL_WORKFLOW, { orderId: `k-${index}` }, { detach: true })).id,
    );

  const killed = new Set<number>();
  for (let trial = 0; trial < TRIALS; trial += 1) {
    // The lease is long enough that a live worker keeps its runs on a loaded machine.
    const worker = spawnFleet({ home }, ["worker", "4"], {
      FLEET_EFFECT_MS: "30",
      FLEET_LEASE_MS: "1500",
    });
    await workerReady(worker);
    await sleep(Math.floor(random() * 400));
    worker.process.kill("SIGKILL");
    const finished = await worker.exited;
    expect(finished.signal, `trial ${trial} (seed ${seed}): ${finished.stderr}`).toBe("SIGKILL");
    if (worker.process.pid !== undefined) killed.add(worker.process.pid);
    if (trial % 5 === 4) await approvePending(store);
  }
  for (let round = 0; round < 4; round += 1) {
    await approvePending(store);
    const last = await spawnFleet({ home }, ["worker", "4", "--until-idle"], {
      FLEET_LEASE_MS: "1500",
    }).exited;
    expect(last.code, last.stderr).toBe(0);
    if ((await store.listRuns({ status: ["waiting", "queued", "running"], limit: 1 })).length === 0)
      break;
  }
  const runs = await Promise.all(ids.map((id) => store.getRun(id)));
  const unfinished = runs
    .filter((run) => run?.status !== "succeeded")
    .map((run) => `${run?.id} ${run?.status}: ${run?.error ?? ""}`);
  expect(
    runs.map((run) => run?.status),
    `seed ${seed}; ${unfinished.join("; ")}`,
  ).toEqual(ids.map(() => "succeeded"));
  expect(await expectEffectsExactlyOnce(home, store, ids, killed)).toBe(24 * 4 + 6 * 2);
  const { attempts, performances } = readLedger(home);
  // How many kills landed inside an effect (begun, never finished by the killed worker).
  process.stderr.write(
    `kill trials: ${TRIALS}, effects cut short by a kill: ${attempts.length - performances.length}, performed but not journaled before a kill (repeated under the same key): ${performances.length - 108}, highest epoch: ${Math.max(...runs.map((run) => run?.epoch ?? 0))}\n`,
  );
}, 480_000);
