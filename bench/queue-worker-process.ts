/**
 * A worker process of the queue benchmark, run as `node --import tsx bench/queue-worker-process.ts`
 * with the backend in its environment (see queue-backend.ts). It loads, opens the store and
 * prints `loaded <pid>`, then obeys one command per stdin line, answering each:
 *
 *   start   runtime.startWorker({ concurrency }) → `started`
 *   stop    stops consuming (runs already claimed go on) → `stopped`
 *
 * Unasked, it prints `event consumer-lost` when its queue consumer had stopped by itself
 * (graphile-worker stopped its runner, see the watchdog below).
 *
 * It exits when stdin closes (so it never outlives the benchmark) or on SIGTERM.
 * QUEUE_BENCH_LEASE_MS, QUEUE_BENCH_POLL_MS: Runtime leaseMs and pollMs (default: the
 * runtime's, 30 s and 200 ms); QUEUE_BENCH_CONCURRENCY: runs at once (default 4).
 */
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { createLogger } from "../src/runtime/logger.ts";
import { WorkflowRegistry } from "../src/runtime/registry.ts";
import { Runtime } from "../src/runtime/runtime.ts";
import type { Worker } from "../src/runtime/worker.ts";
import { backendFromEnvironment, openBackend } from "./queue-backend.ts";
import { queueBenchWorkflows } from "./queue-workflows.ts";

/** How long shutdown waits for runs still driven here before exiting anyway. */
const CLOSE_GRACE_MS = 3_000;
/** What graphile-worker sets process.exitCode to when it shuts its runner down for a migration. */
const GRAPHILE_MIGRATION_EXIT = 57;

const optionalNumber = (value: string | undefined) =>
  value === undefined || value === "" ? undefined : Number(value);
const reply = (line: string) => process.stdout.write(`${line}\n`);

async function openRuntime(): Promise<Runtime> {
  const backend = backendFromEnvironment();
  const logger = createLogger(process.env.QUEUE_BENCH_LOG_LEVEL ?? "error");
  const { store, queue } = await openBackend(backend, logger);
  return new Runtime({
    store,
    queue,
    logger,
    workflows: new WorkflowRegistry(queueBenchWorkflows(backend.home)),
    leaseMs: optionalNumber(process.env.QUEUE_BENCH_LEASE_MS),
    pollMs: optionalNumber(process.env.QUEUE_BENCH_POLL_MS),
  });
}

/** This process's worker, started and stopped on command, one operation at a time. */
class WorkerControl {
  private worker: Worker | undefined;
  private chain = Promise.resolve();
  private readonly concurrency = optionalNumber(process.env.QUEUE_BENCH_CONCURRENCY) ?? 4;

  constructor(private readonly runtime: Runtime) {}

  /** Runs `operation` after the previous ones; a failure ends the process. */
  serially(operation: () => Promise<void>): void {
    this.chain = this.chain.then(operation).catch((error: unknown) => {
      process.stderr.write(`queue worker ${process.pid}: ${String(error)}\n`);
      process.exit(1);
    });
  }

  async obey(command: string): Promise<void> {
    if (command === "start") {
      this.worker ??= await this.runtime.startWorker({ concurrency: this.concurrency });
      reply("started");
    } else if (command === "stop") {
      if (await this.stopWorker()) reply("event consumer-lost");
      reply("stopped");
    } else throw new Error(`unknown command "${command}"`);
  }

  /** Starts consuming again after the queue's consumer stopped by itself. */
  async restart(): Promise<void> {
    if (this.worker === undefined) return;
    await this.stopWorker();
    this.worker = await this.runtime.startWorker({ concurrency: this.concurrency });
    reply("event consumer-lost");
  }

  /** Stops the worker; true when its queue consumer had already stopped by itself. */
  private async stopWorker(): Promise<boolean> {
    const stopping = this.worker;
    this.worker = undefined;
    try {
      await stopping?.stop();
      return false;
    } catch (error) {
      if (!String(error).includes("Runner is already stopped")) throw error;
      return true;
    }
  }
}

async function main(): Promise<void> {
  const runtime = await openRuntime();
  const control = new WorkerControl(runtime);
  // graphile-worker stops its runner when any schema of the same database gets a breaking
  // migration (its `worker:migrate` channel is database-wide, e.g. another signalbox schema
  // being created) and sets process.exitCode = 57; our queue does not notice. Start consuming
  // again, so the figures measure the queue, and tell the bench, which reports how often.
  const watchdog = setInterval(() => {
    if (process.exitCode !== GRAPHILE_MIGRATION_EXIT) return;
    process.exitCode = undefined;
    control.serially(() => control.restart());
  }, 20);
  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    clearInterval(watchdog);
    const closed = runtime.close().catch((error: unknown) => {
      process.stderr.write(`queue worker ${process.pid}: close: ${String(error)}\n`);
    });
    await Promise.race([closed, sleep(CLOSE_GRACE_MS)]);
    process.exit(0);
  };
  const lines = createInterface({ input: process.stdin });
  lines.on("line", (command) => control.serially(() => control.obey(command.trim())));
  lines.on("close", () => void shutdown());
  process.once("SIGTERM", () => void shutdown());
  reply(`loaded ${process.pid}`);
}

await main();
