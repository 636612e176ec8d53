/**
 * Queue and worker benchmarks on both backends, every worker a real child process
 * (bench/queue-worker-process.ts) and this process the enqueuer:
 *
 *   pickup     runtime.start(…, { detach: true }) here → the run's first node-start in a worker
 *              (same machine clock), one run at a time, each after the previous has finished
 *   failover   the worker driving a run is SIGKILLed → another worker claims it (epoch bump)
 *              and starts its node again
 *   throughput support_triage runs enqueued first, then 1, 2 or 4 workers drain them
 *
 * Run: BENCH_ONLY=queue npm run bench   (or queueWorkers() from bench/run.ts)
 * BENCH_QUEUE_BACKENDS=sqlite,postgres; BENCH_QUEUE_RUNS (per worker count, default 300);
 * PostgreSQL: BENCH_POSTGRES_URL, else SIGNALBOX_TEST_POSTGRES_URL, else the local test database.
 */
import { cpus, loadavg } from "node:os";
import { WorkflowRegistry } from "../src/runtime/registry.ts";
import { Runtime } from "../src/runtime/runtime.ts";
import { postgresUnavailable } from "../test/support/postgres-probe.ts";
import { createBackend, openBackend } from "./queue-backend.ts";
import { FAILOVER_LEASE_MS, failover } from "./queue-failover.ts";
import { killWorkers } from "./queue-fleet.ts";
import { pickups } from "./queue-pickup.ts";
import type { Bench } from "./queue-probes.ts";
import { queueReport } from "./queue-report.ts";
import type { BackendResult, QueueResults } from "./queue-results.ts";
import { throughput } from "./queue-throughput.ts";
import { queueBenchWorkflows } from "./queue-workflows.ts";

const POSTGRES_URL =
  process.env.BENCH_POSTGRES_URL ??
  process.env.SIGNALBOX_TEST_POSTGRES_URL ??
  "postgresql://postgres@127.0.0.1:5432/test";

async function measureBackend(
  kind: "sqlite" | "postgres",
  runsPerCount: number,
): Promise<BackendResult> {
  const backend = createBackend(kind, POSTGRES_URL);
  let bench: Bench | undefined;
  // Interrupted: no worker left behind, no schema, no temporary home.
  const interrupted = () => {
    killWorkers();
    void backend.dispose().finally(() => process.exit(130));
  };
  process.once("SIGINT", interrupted).once("SIGTERM", interrupted);
  try {
    const { store, queue } = await openBackend(backend);
    const workflows = new WorkflowRegistry(queueBenchWorkflows(backend.home));
    bench = { backend, store, runtime: new Runtime({ store, queue, workflows }) };
    const pickup = await pickups(bench);
    const failedOver = await failover(bench);
    const drained = await throughput(bench, runsPerCount);
    return {
      backend: kind,
      pickup,
      failover: failedOver,
      throughput: drained.batches,
      throughputConsumerLosses: drained.consumerLosses,
    };
  } finally {
    process.off("SIGINT", interrupted).off("SIGTERM", interrupted);
    await bench?.runtime.close();
    await backend.dispose();
  }
}

/** Runs the queue benchmarks (about 4 minutes on 2 cores) and returns tables, targets and figures. */
export async function queueWorkers(): Promise<QueueResults> {
  const started = performance.now();
  const loadBefore = loadavg()[0] ?? Number.NaN;
  const kinds = (process.env.BENCH_QUEUE_BACKENDS ?? "sqlite,postgres").split(",");
  const runsPerCount = Number(process.env.BENCH_QUEUE_RUNS ?? 300);
  const backends: BackendResult[] = [];
  const skipped: string[] = [];
  for (const kind of kinds) {
    if (kind !== "sqlite" && kind !== "postgres") throw new Error(`unknown backend "${kind}"`);
    const unavailable = kind === "postgres" ? await postgresUnavailable(POSTGRES_URL) : undefined;
    if (unavailable !== undefined)
      skipped.push(`PostgreSQL unreachable at ${POSTGRES_URL} (${unavailable})`);
    else backends.push(await measureBackend(kind, runsPerCount));
  }
  const environment = {
    node: process.version,
    cpus: cpus().length,
    loadAverage1mBefore: loadBefore,
    loadAverage1mAfter: loadavg()[0] ?? Number.NaN,
    durationS: (performance.now() - started) / 1000,
  };
  return queueReport({ backends, skipped, runsPerCount, leaseMs: FAILOVER_LEASE_MS, environment });
}
