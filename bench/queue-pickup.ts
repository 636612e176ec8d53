/**
 * Pickup latency: from before `runtime.start(…, { detach: true })` in this process to the
 * run's first node-start in a worker process, one one-step run at a time. The baseline:
 * the same runs started and driven in this process (claim and graph start, no queue).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { spawnWorker, type WorkerProcess } from "./queue-fleet.ts";
import { type Bench, detach, nodeStart, progress, settled } from "./queue-probes.ts";
import { type PickupResult, summarizePickup } from "./queue-results.ts";
import { PING_WORKFLOW } from "./queue-workflows.ts";

const PICKUP_WARMUP = 5;
const PICKUP_RUNS = 100;

/** One run at a time, each after a random pause of up to `jitterMs`, timed from before `start`. */
async function measurePickup(
  bench: Bench,
  worker: WorkerProcess,
  jitterMs: number,
): Promise<{ latencies: number[]; calls: number[] }> {
  const latencies: number[] = [];
  const calls: number[] = [];
  await worker.send("start");
  try {
    for (let index = 0; index < PICKUP_WARMUP + PICKUP_RUNS; index += 1) {
      await sleep(Math.random() * jitterMs);
      const before = Date.now();
      const run = await detach(bench, PING_WORKFLOW, { n: index });
      const called = Date.now();
      const started = await nodeStart(bench, run.id, 0);
      await settled(bench, run.id);
      if (index < PICKUP_WARMUP) continue;
      latencies.push(started.at - before);
      calls.push(called - before);
    }
  } finally {
    await worker.send("stop");
  }
  return { latencies, calls };
}

export async function pickups(bench: Bench): Promise<PickupResult[]> {
  // SQLite: the shipped poll interval and a shorter one; the pause before each enqueue is
  // random up to the interval, so enqueues fall at every phase of the workers' polls.
  const variants =
    bench.backend.kind === "sqlite"
      ? [200, 50].map((pollMs) => ({
          queue: `polling, pollMs ${pollMs}${pollMs === 200 ? " (default)" : ""}`,
          environment: { QUEUE_BENCH_POLL_MS: String(pollMs) },
          jitterMs: pollMs,
        }))
      : [{ queue: "graphile-worker, LISTEN/NOTIFY", environment: {}, jitterMs: 50 }];
  const workers = await Promise.all(
    variants.map((variant) => spawnWorker(bench.backend, variant.environment)),
  );
  try {
    progress(`${bench.backend.kind}: pickup baseline, driven in this process`);
    const results = [
      summarizePickup("none: driven in the enqueuing process", await measureInProcess(bench), {
        baseline: true,
        consumerLosses: 0,
      }),
    ];
    for (const [index, variant] of variants.entries()) {
      progress(`${bench.backend.kind}: pickup latency, ${variant.queue}`);
      const worker = workers[index] as WorkerProcess;
      const measured = await measurePickup(bench, worker, variant.jitterMs);
      results.push(
        summarizePickup(variant.queue, measured, {
          baseline: false,
          consumerLosses: worker.consumerLosses(),
        }),
      );
    }
    return results;
  } finally {
    await Promise.all(workers.map((worker) => worker.close()));
  }
}

/** The baseline: each run started and driven here; `start` resolves once it has finished. */
async function measureInProcess(bench: Bench): Promise<{ latencies: number[]; calls: number[] }> {
  const latencies: number[] = [];
  for (let index = 0; index < PICKUP_WARMUP + PICKUP_RUNS; index += 1) {
    const before = Date.now();
    const run = await bench.runtime.start(PING_WORKFLOW, { n: index }, { trigger: "bench" });
    const started = await nodeStart(bench, run.id, 0);
    if (index >= PICKUP_WARMUP) latencies.push(started.at - before);
  }
  return { latencies, calls: [] };
}
