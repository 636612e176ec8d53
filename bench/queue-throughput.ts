/**
 * Throughput: support_triage runs enqueued first, then drained by 1, 2 or 4 worker processes
 * (loaded and warmed up beforehand), in mirrored order (1 2 4 4 2 1) so drift in the machine's
 * load hits every count alike. Per batch: wall time from the start command to the last run's
 * finish, the CPU of the workers, of the database server (PostgreSQL on this machine) and of
 * this process, and the whole machine's CPU (other users' processes included).
 */

import { machineTicks } from "./proc-cpu.ts";
import { sampleDatabaseCpu } from "./queue-backend.ts";
import { spawnWorker, until, type WorkerProcess } from "./queue-fleet.ts";
import { type Bench, detach, mustGet, progress } from "./queue-probes.ts";
import type { Batch } from "./queue-results.ts";
import { TRIAGE_INPUT, TRIAGE_WORKFLOW } from "./queue-workflows.ts";

const WORKER_COUNTS = [1, 2, 4] as const;
const ROUNDS = 2;
const WARMUP_RUNS = 40;

/** Ticks of the machine's CPU spent between two readings. */
function machineSince(before: ReturnType<typeof machineTicks>): Batch["machine"] {
  const after = machineTicks();
  return {
    busy: after.busy - before.busy,
    iowait: after.iowait - before.iowait,
    total: after.total - before.total,
  };
}

/** Enqueues `runs` support_triage runs for the workers; returns their ids. */
async function enqueue(bench: Bench, runs: number): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < runs; index += 1)
    ids.push((await detach(bench, TRIAGE_WORKFLOW, TRIAGE_INPUT)).id);
  return ids;
}

/** Waits until no run is queued or running. */
const drained = (bench: Bench, what: string) =>
  until(
    what,
    async () => {
      const busy = await bench.store.listRuns({ status: ["queued", "running"], limit: 1 });
      return busy.length === 0 ? true : undefined;
    },
    { intervalMs: 50, timeoutMs: 900_000 },
  );

/** Enqueues `runs` support_triage runs, then lets the first `count` workers drain them. */
async function batch(
  bench: Bench,
  workers: readonly WorkerProcess[],
  options: { queue: string; count: number; runs: number },
): Promise<Batch> {
  const { queue, count, runs } = options;
  const ids = await enqueue(bench, runs);
  const active = workers.slice(0, count);
  const cpuBefore = active.map((worker) => worker.cpuMs());
  const databaseCpu = await sampleDatabaseCpu(bench.backend);
  const machineBefore = machineTicks();
  const enqueuerBefore = process.cpuUsage();
  const started = Date.now();
  await Promise.all(active.map((worker) => worker.send("start")));
  await drained(bench, `${runs} runs on ${count} workers`);
  const machine = machineSince(machineBefore);
  const enqueuer = process.cpuUsage(enqueuerBefore);
  const databaseCpuMs = await databaseCpu.stop();
  const cpuMs = active.reduce(
    (sum, worker, index) => sum + worker.cpuMs() - (cpuBefore[index] ?? 0),
    0,
  );
  await Promise.all(active.map((worker) => worker.send("stop")));
  const finished = await Promise.all(ids.map((id) => mustGet(bench.store, id)));
  const lastFinish = Math.max(...finished.map((run) => Date.parse(run.finishedAt ?? "")));
  return {
    queue,
    workers: count,
    runs,
    ms: lastFinish - started,
    cpuMs,
    databaseCpuMs,
    enqueuerCpuMs: (enqueuer.user + enqueuer.system) / 1000,
    machine,
    failed: finished.filter((run) => run.status !== "succeeded").length,
  };
}

/** The queues to drain with: SQLite's shipped poll interval and a shorter one; PostgreSQL's one queue. */
function variants(bench: Bench) {
  return bench.backend.kind === "sqlite"
    ? [200, 50].map((pollMs) => ({
        queue: `polling, pollMs ${pollMs}${pollMs === 200 ? " (default)" : ""}`,
        environment: { QUEUE_BENCH_POLL_MS: String(pollMs) },
      }))
    : [{ queue: "graphile-worker, LISTEN/NOTIFY", environment: {} }];
}

async function drain(
  bench: Bench,
  variant: { queue: string; environment: Record<string, string> },
  runsPerCount: number,
): Promise<{ batches: Batch[]; consumerLosses: number }> {
  const most = Math.max(...WORKER_COUNTS);
  const workers = await Promise.all(
    Array.from({ length: most }, () => spawnWorker(bench.backend, variant.environment)),
  );
  const label = `${bench.backend.kind}: throughput, ${variant.queue}`;
  try {
    progress(`${label}: warm-up, ${WARMUP_RUNS} runs on ${most} workers`);
    await batch(bench, workers, { queue: variant.queue, count: most, runs: WARMUP_RUNS });
    const order = Array.from({ length: ROUNDS }, (_, round) =>
      round % 2 === 0 ? [...WORKER_COUNTS] : [...WORKER_COUNTS].reverse(),
    ).flat();
    const batches: Batch[] = [];
    const runs = Math.ceil(runsPerCount / ROUNDS);
    for (const count of order) {
      progress(`${label}: ${count} worker(s)`);
      batches.push(await batch(bench, workers, { queue: variant.queue, count, runs }));
    }
    const consumerLosses = workers.reduce((sum, worker) => sum + worker.consumerLosses(), 0);
    return { batches, consumerLosses };
  } finally {
    await Promise.all(workers.map((worker) => worker.close()));
  }
}

/** Every batch of every queue variant of the backend, and how often a consumer stopped by itself. */
export async function throughput(
  bench: Bench,
  runsPerCount: number,
): Promise<{ batches: Batch[]; consumerLosses: number }> {
  const batches: Batch[] = [];
  let consumerLosses = 0;
  for (const variant of variants(bench)) {
    const drained = await drain(bench, variant, runsPerCount);
    batches.push(...drained.batches);
    consumerLosses += drained.consumerLosses;
  }
  return { batches, consumerLosses };
}
