/** Figures of the queue benchmark (bench/queue-workers.ts) and the summaries made from them. */
import { median } from "./measure.ts";
import type { Target } from "./report.ts";

export interface PickupResult {
  readonly queue: string;
  /** The baseline row: runs started and driven in the enqueuing process, no queue. */
  readonly baseline: boolean;
  readonly runs: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** How long `runtime.start(…, { detach: true })` took in the enqueuer (median). */
  readonly enqueueCallP50Ms: number;
  /** How often the worker's queue consumer stopped by itself and was started again. */
  readonly consumerLosses: number;
}

/** One kill, timed from the SIGKILL (ms). */
export interface FailoverTrial {
  /** Until the dead worker's lease ran out (its last renewal + the lease, database time). */
  readonly leaseLeftMs: number;
  /** From the lease running out to another worker's claim: what the queue adds to the lease. */
  readonly expiryToClaimMs: number;
  /** To the claim by another worker (the epoch bump; the run's updatedAt, database time). */
  readonly claimMs: number;
  /** To the held step's node-start in the other worker. */
  readonly nodeStartMs: number;
}

export interface FailoverResult {
  readonly leaseMs: number;
  readonly workers: number;
  readonly trials: readonly FailoverTrial[];
  readonly consumerLosses: number;
}

/** One drained batch: `ms` from the workers' start command to the last run's finish. */
export interface Batch {
  readonly queue: string;
  readonly workers: number;
  readonly runs: number;
  readonly ms: number;
  /** CPU time of the active worker processes over the batch (user + system). */
  readonly cpuMs: number;
  /** CPU time of the PostgreSQL server processes serving the benchmark (NaN on SQLite). */
  readonly databaseCpuMs: number;
  /** CPU time of the enqueuing process (it polls the store for the end of the batch). */
  readonly enqueuerCpuMs: number;
  /** Clock ticks of the whole machine (all processes, ours and others') over the batch. */
  readonly machine: { readonly busy: number; readonly iowait: number; readonly total: number };
  readonly failed: number;
}

export interface BackendResult {
  readonly backend: "sqlite" | "postgres";
  readonly pickup: readonly PickupResult[];
  readonly failover: FailoverResult;
  readonly throughput: readonly Batch[];
  readonly throughputConsumerLosses: number;
}

/** Where and how long the queue benchmark ran (load: 1-minute load average). */
export interface QueueEnvironment {
  readonly node: string;
  readonly cpus: number;
  readonly loadAverage1mBefore: number;
  readonly loadAverage1mAfter: number;
  readonly durationS: number;
}

export interface QueueResults {
  readonly environment: QueueEnvironment;
  readonly markdown: string;
  readonly targets: readonly Target[];
  readonly backends: readonly BackendResult[];
  readonly skipped: readonly string[];
}

/** Nearest-rank percentile. */
function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}

export function summarizePickup(
  queue: string,
  measured: { latencies: readonly number[]; calls: readonly number[] },
  options: { baseline: boolean; consumerLosses: number },
): PickupResult {
  const { latencies } = measured;
  return {
    queue,
    ...options,
    runs: latencies.length,
    p50Ms: median(latencies),
    p90Ms: percentile(latencies, 0.9),
    p99Ms: percentile(latencies, 0.99),
    maxMs: Math.max(...latencies),
    enqueueCallP50Ms: median(measured.calls),
  };
}

/** The batches of one queue and worker count, summed: runs/s is total runs over total time. */
export interface Scaling {
  readonly queue: string;
  readonly workers: number;
  readonly runs: number;
  readonly ms: number;
  readonly perSecond: number;
  /** runs/s over the same queue's runs/s with one worker. */
  readonly ratio: number;
  readonly batches: readonly number[];
  readonly workerCpuMsPerRun: number;
  readonly databaseCpuMsPerRun: number;
  /** Cores kept busy by the benchmark (workers, database server, enqueuer), and by everything else. */
  readonly benchCores: number;
  readonly otherCores: number;
  /** Share of the machine's CPU time spent waiting for I/O. */
  readonly machineIowait: number;
  readonly failed: number;
}

const rate = (runs: number, milliseconds: number) => (runs * 1000) / milliseconds;
const sum = (batches: readonly Batch[], pick: (batch: Batch) => number) =>
  batches.reduce((total, batch) => total + pick(batch), 0);

function summed(queue: string, workers: number, own: readonly Batch[]): Omit<Scaling, "ratio"> {
  const runs = sum(own, (batch) => batch.runs);
  const ms = sum(own, (batch) => batch.ms);
  const ticks = sum(own, (batch) => batch.machine.total);
  const databaseCpuMs = sum(own, (batch) => batch.databaseCpuMs);
  const benchCpuMs =
    sum(own, (batch) => batch.cpuMs + batch.enqueuerCpuMs) +
    (Number.isNaN(databaseCpuMs) ? 0 : databaseCpuMs);
  // /proc/stat counts in ticks of 10 ms (USER_HZ 100).
  const busyMs = sum(own, (batch) => batch.machine.busy) * 10;
  return {
    queue,
    workers,
    runs,
    ms,
    perSecond: rate(runs, ms),
    batches: own.map((batch) => rate(batch.runs, batch.ms)),
    workerCpuMsPerRun: sum(own, (batch) => batch.cpuMs) / runs,
    databaseCpuMsPerRun: databaseCpuMs / runs,
    benchCores: benchCpuMs / ms,
    otherCores: (busyMs - benchCpuMs) / ms,
    machineIowait: sum(own, (batch) => batch.machine.iowait) / ticks,
    failed: sum(own, (batch) => batch.failed),
  };
}

/** Per queue (in the order measured), per worker count (ascending). */
export function scaling(batches: readonly Batch[]): Scaling[] {
  const queues = [...new Set(batches.map((batch) => batch.queue))];
  return queues.flatMap((queue) => {
    const mine = batches.filter((batch) => batch.queue === queue);
    const counts = [...new Set(mine.map((batch) => batch.workers))].sort((a, b) => a - b);
    const totals = counts.map((workers) =>
      summed(
        queue,
        workers,
        mine.filter((batch) => batch.workers === workers),
      ),
    );
    const one = totals.find((total) => total.workers === 1)?.perSecond ?? Number.NaN;
    return totals.map((total) => ({ ...total, ratio: total.perSecond / one }));
  });
}
