/** Renders the queue benchmark's figures (queue-results.ts) as markdown tables and target verdicts. */
import { median } from "./measure.ts";
import {
  type BackendResult,
  type FailoverTrial,
  type QueueEnvironment,
  type QueueResults,
  type Scaling,
  scaling,
} from "./queue-results.ts";
import { type Target, targetLines } from "./report.ts";

const PICKUP_P50_TARGET_MS = 10;
const FAILOVER_SLACK_MS = 1_000;
const SCALING_TARGET = 1.5;
const LABEL = { sqlite: "SQLite file (synchronous=FULL)", postgres: "PostgreSQL" } as const;

const row = (cells: readonly (string | number)[]) => `| ${cells.join(" | ")} |`;
const ms = (value: number) => (Number.isFinite(value) ? String(Math.round(value)) : "n/a");
const percent = (fraction: number) =>
  Number.isFinite(fraction) ? `${Math.round(fraction * 100)}%` : "n/a";

function pickupRows(result: BackendResult): string[] {
  return result.pickup.map((pickup) =>
    row([
      LABEL[result.backend],
      pickup.queue,
      pickup.runs,
      ms(pickup.p50Ms),
      ms(pickup.p90Ms),
      ms(pickup.p99Ms),
      ms(pickup.maxMs),
      pickup.baseline ? "—" : ms(pickup.enqueueCallP50Ms),
    ]),
  );
}

const medianMax = (values: readonly number[]) =>
  `${ms(median(values))} / ${ms(Math.max(...values))}`;

function failoverRow(result: BackendResult): string {
  const { trials, leaseMs } = result.failover;
  const pick = (field: keyof FailoverTrial) => trials.map((trial) => trial[field]);
  return row([
    LABEL[result.backend],
    trials.length,
    medianMax(pick("leaseLeftMs")),
    medianMax(pick("expiryToClaimMs")),
    medianMax(pick("claimMs")),
    medianMax(pick("nodeStartMs")),
    pick("nodeStartMs").map(ms).join(", "),
    ms(leaseMs + FAILOVER_SLACK_MS),
  ]);
}

function throughputRows(result: BackendResult): string[] {
  return scaling(result.throughput).map((total) =>
    row([
      LABEL[result.backend],
      total.queue,
      total.workers,
      total.runs,
      (total.ms / 1000).toFixed(1),
      total.perSecond.toFixed(1),
      `${total.ratio.toFixed(2)}×`,
      total.batches.map((value) => value.toFixed(1)).join(" / "),
      `${ms(total.workerCpuMsPerRun)} / ${Number.isFinite(total.databaseCpuMsPerRun) ? ms(total.databaseCpuMsPerRun) : "—"}`,
      `${total.benchCores.toFixed(2)} / ${total.otherCores.toFixed(2)}`,
      percent(total.machineIowait),
      total.failed,
    ]),
  );
}

/** PostgreSQL only: consumers graphile-worker stopped (see bench/queue-worker-process.ts). */
function consumerLossLines(backends: readonly BackendResult[]): string[] {
  return backends
    .filter((result) => result.backend === "postgres")
    .map((result) => {
      const pickup = result.pickup.reduce((total, entry) => total + entry.consumerLosses, 0);
      return `Queue consumers that stopped by themselves and were restarted by the bench (graphile-worker shuts its runner down on a breaking migration announced on the database-wide \`worker:migrate\` channel, e.g. another schema being set up): pickup ${pickup}, failover ${result.failover.consumerLosses}, throughput ${result.throughputConsumerLosses}.`;
    });
}

const scalingDetail = (totals: readonly Scaling[]) =>
  totals
    .map(
      (total) =>
        `${total.workers}: ${total.perSecond.toFixed(1)} runs/s (${total.ratio.toFixed(2)}×)`,
    )
    .join(", ");

function targetsOf(result: BackendResult): Target[] {
  const label = LABEL[result.backend];
  const { trials, leaseMs } = result.failover;
  const starts = trials.map((trial) => trial.nodeStartMs);
  const worst = Math.max(...starts);
  const all = scaling(result.throughput);
  // Judged on the shipped configuration: the first queue measured.
  const shipped = all.filter((total) => total.queue === all[0]?.queue);
  const two = shipped.find((total) => total.workers === 2);
  const targets: Target[] = [
    {
      name: `failover ≤ lease + 1 s (${label}, lease ${leaseMs} ms)`,
      met: worst <= leaseMs + FAILOVER_SLACK_MS,
      detail: `kill → node-start max ${ms(worst)} ms, median ${ms(median(starts))} ms over ${trials.length} trials`,
    },
    {
      name: `2 workers ≥ ${SCALING_TARGET}× one worker (${label}, ${shipped[0]?.queue ?? "?"}, support_triage)`,
      met: (two?.ratio ?? 0) >= SCALING_TARGET,
      detail: scalingDetail(shipped),
    },
  ];
  const queued = result.pickup.find((pickup) => !pickup.baseline);
  if (result.backend === "postgres")
    targets.unshift({
      name: `pickup p50 ≤ ${PICKUP_P50_TARGET_MS} ms (${label}, ${queued?.queue ?? "?"})`,
      met: queued !== undefined && queued.p50Ms <= PICKUP_P50_TARGET_MS,
      detail: `p50 ${ms(queued?.p50Ms ?? Number.NaN)} ms, p99 ${ms(queued?.p99Ms ?? Number.NaN)} ms over ${queued?.runs ?? 0} runs`,
    });
  return targets;
}

const heading = (environment: QueueEnvironment) =>
  `## Queue and workers: pickup, failover, throughput (${environment.node}, ${environment.cpus} CPUs, load ${environment.loadAverage1mBefore.toFixed(1)} → ${environment.loadAverage1mAfter.toFixed(1)}, ${environment.durationS.toFixed(0)} s)`;

function pickupSection(backends: readonly BackendResult[]): string[] {
  return [
    "Pickup: from before `start` to the run's first `node-start` (stored event), one one-step run at a",
    "time after the previous finished, a random pause (up to the poll interval) between; 5 warm-up runs.",
    "Baseline (none): the same runs started and driven in the enqueuing process (claim, graph start).",
    "",
    "| backend | queue | runs | p50 ms | p90 ms | p99 ms | max ms | start(detach) call p50 ms |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...backends.flatMap(pickupRows),
  ];
}

function failoverSection(backends: readonly BackendResult[], leaseMs: number): string[] {
  const workers = backends[0]?.failover.workers ?? 2;
  return [
    "Failover: the worker driving a one-step run that holds is SIGKILLed at a random point of its lease",
    `(${leaseMs} ms, renewed every third); ${workers} workers, the killed one replaced each trial. Claim: the run's`,
    "epoch bump (its updatedAt, database time); node-start: the held step begins again in the other worker.",
    "Lease left: the dead worker's lease_until minus the kill. Cells: median / max.",
    "",
    "| backend | trials | lease left at kill ms | lease expiry → claim ms | kill → claim ms | kill → node-start ms | kill → node-start per trial | budget ms |",
    "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
    ...backends.map(failoverRow),
  ];
}

function throughputSection(backends: readonly BackendResult[], runsPerCount: number): string[] {
  return [
    `Throughput: support_triage (examples/refund-request.json, offline), ${runsPerCount} runs per queue and worker`,
    "count, in batches enqueued before the workers start (loaded and warmed up), in the order 1 2 4 4 2 1;",
    "time from the start command to the last run's finish. CPU from /proc: worker processes, PostgreSQL",
    "server processes serving the bench's connections, the whole machine. Cores busy: the bench's",
    "processes (workers, database server, enqueuer) and every other process (other users' included).",
    "",
    "| backend | queue | workers | runs | seconds | runs/s | × one worker | runs/s per batch | CPU ms/run workers / database | cores busy: bench / others | iowait | not succeeded |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |",
    ...backends.flatMap(throughputRows),
  ];
}

/** The section's markdown (tables, notes, target lines) and its figures. */
export function queueReport(input: {
  backends: readonly BackendResult[];
  skipped: readonly string[];
  runsPerCount: number;
  leaseMs: number;
  environment: QueueEnvironment;
}): QueueResults {
  const { backends, skipped, environment } = input;
  const targets = [
    ...backends.flatMap(targetsOf),
    ...skipped.map((why) => ({
      name: "PostgreSQL targets",
      met: false,
      detail: `not measured: ${why}`,
    })),
  ];
  const notes = [...consumerLossLines(backends), ...skipped.map((why) => `Skipped: ${why}.`)];
  const markdown = [
    heading(environment),
    "",
    "Run alone: `BENCH_ONLY=queue npm run bench`. Every worker is a child process (`node --import tsx",
    "bench/queue-worker-process.ts`, concurrency 4); the bench process enqueues with `runtime.start(…,",
    "{ detach: true })`. SQLite: one file, the polling queue; PostgreSQL: a fresh schema, the",
    "graphile-worker queue. Times on the one machine clock.",
    "",
    ...pickupSection(backends),
    "",
    ...failoverSection(backends, input.leaseMs),
    "",
    ...throughputSection(backends, input.runsPerCount),
    ...notes.flatMap((line) => ["", line]),
    "",
    targetLines(targets),
  ].join("\n");
  return { environment, markdown, targets, backends, skipped };
}
