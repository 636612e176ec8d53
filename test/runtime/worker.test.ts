import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, expect, it } from "vitest";
import { createLogger } from "../../src/runtime/logger.ts";
import { createPollingQueue } from "../../src/runtime/polling-queue.ts";
import { Worker } from "../../src/runtime/worker.ts";
import { SqliteRunStore } from "../../src/store/sqlite-store.ts";
import type { RunStore } from "../../src/store/types.ts";
import { tempHome } from "../support/runtime.ts";

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it("never runs two sweeps at once, however slow a sweep is", async () => {
  // A sweep that outlasts many intervals, as add_job does on a busy PostgreSQL: before the
  // fix each tick started another, until they held every pool connection.
  const { home, cleanup } = tempHome("signalbox-worker-");
  const real = new SqliteRunStore(join(home, "signalbox.db"));
  cleanups.push(cleanup, () => real.close());
  await real.createRun({
    id: "r-1",
    workflow: "w",
    version: "1",
    input: {},
    trigger: "test",
    dryRun: false,
  });
  let inFlight = 0;
  let most = 0;
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  // The real store, with its requeue held until the test lets it go.
  const store = new Proxy(real, {
    get(target, property, receiver) {
      if (property !== "requeueExpired") return Reflect.get(target, property, receiver);
      return async () => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await released;
        inFlight -= 1;
        return target.requeueExpired();
      };
    },
  }) as RunStore;
  const logger = createLogger("silent");
  const queue = createPollingQueue({ store, logger, pollMs: 60_000 });
  const enqueued: string[] = [];
  const worker = new Worker(
    {
      store,
      queue: { ...queue, enqueue: async (runId) => void enqueued.push(runId) },
      logger,
      tryDrive: async () => undefined,
    },
    { leaseMs: 1000, sweepMs: 1 },
  );
  await worker.start();
  await sleep(50);
  expect(most).toBe(1);
  // A sweep asked for while one runs joins it.
  const joined = worker.sweep();
  release();
  expect(await joined).toEqual([]);
  await worker.stop();
  await queue.close();
  expect(most).toBe(1);
  // The queued run (waiting since before the sweeps) was woken again.
  expect(enqueued).toContain("r-1");
});
