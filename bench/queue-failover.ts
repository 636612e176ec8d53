/**
 * Failover after SIGKILL: two workers with a short lease; the one driving a run that holds
 * is killed at a random point of its lease; the other claims the run (epoch bump) once the
 * lease has run out and starts its step again. The killed worker is replaced each trial.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { spawnWorker, until, type WorkerProcess } from "./queue-fleet.ts";
import { type Bench, detach, mustGet, nodeStart, progress } from "./queue-probes.ts";
import type { FailoverResult } from "./queue-results.ts";
import { HOLD_WORKFLOW } from "./queue-workflows.ts";

/** The lease of the failover workers; the others keep the runtime's default (30 s). */
export const FAILOVER_LEASE_MS = 2_000;
const FAILOVER_TRIALS = 8;
const HOLD_MS = 60_000;
const failoverEnvironment = { QUEUE_BENCH_LEASE_MS: String(FAILOVER_LEASE_MS) };

/** One trial: a hold run, its driver SIGKILLed at a random point of its lease and replaced. */
async function failoverTrial(bench: Bench, workers: WorkerProcess[], used: WorkerProcess[]) {
  // A random pause first: enqueued right after a replacement started, the run's heartbeat would
  // tick in step with that worker's sweeper and every trial would see the same sweep delay.
  await sleep(Math.random() * FAILOVER_LEASE_MS);
  const run = await detach(bench, HOLD_WORKFLOW, { holdMs: HOLD_MS });
  const first = await nodeStart(bench, run.id, 0);
  const held = await mustGet(bench.store, run.id);
  const victim = workers.findIndex((worker) => held.owner?.startsWith(`${worker.pid}@`));
  if (victim < 0) throw new Error(`run ${run.id} is held by ${held.owner}, none of ours`);
  await sleep(Math.random() * FAILOVER_LEASE_MS);
  const killedAt = Date.now();
  await (workers[victim] as WorkerProcess).kill();
  // Read after the kill: no renewal can move the lease any more (NaN if already claimed again).
  const dead = await mustGet(bench.store, run.id);
  const expiresAt = dead.epoch === held.epoch ? Date.parse(dead.leaseUntil ?? "") : Number.NaN;
  const timeoutMs = FAILOVER_LEASE_MS * 10;
  const claimed = await until(
    "another worker to claim the run",
    async () => {
      const now = await mustGet(bench.store, run.id);
      return now.epoch > held.epoch ? now : undefined;
    },
    { intervalMs: 5, timeoutMs },
  );
  const resumed = await nodeStart(bench, run.id, first.seq, timeoutMs);
  await bench.store.cancelRun(run.id, "bench: failover measured");
  const replacement = await spawnWorker(bench.backend, failoverEnvironment);
  workers[victim] = replacement;
  used.push(replacement);
  await replacement.send("start");
  const claimedAt = Date.parse(claimed.updatedAt);
  return {
    leaseLeftMs: expiresAt - killedAt,
    expiryToClaimMs: claimedAt - expiresAt,
    claimMs: claimedAt - killedAt,
    nodeStartMs: resumed.at - killedAt,
  };
}

export async function failover(bench: Bench): Promise<FailoverResult> {
  progress(`${bench.backend.kind}: failover after SIGKILL, ${FAILOVER_TRIALS} trials`);
  const workers = await Promise.all(
    [0, 1].map(() => spawnWorker(bench.backend, failoverEnvironment)),
  );
  const used = [...workers];
  try {
    await Promise.all(workers.map((worker) => worker.send("start")));
    const trials = [];
    for (let trial = 0; trial < FAILOVER_TRIALS; trial += 1)
      trials.push(await failoverTrial(bench, workers, used));
    const consumerLosses = used.reduce((sum, worker) => sum + worker.consumerLosses(), 0);
    return { leaseMs: FAILOVER_LEASE_MS, workers: workers.length, trials, consumerLosses };
  } finally {
    await Promise.all(workers.map((worker) => worker.close()));
  }
}
