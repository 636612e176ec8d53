import { setTimeout as sleep } from "node:timers/promises";
import { expect, it } from "vitest";
import { createLogger } from "../../src/runtime/logger.ts";
import { Worker } from "../../src/runtime/worker.ts";
import type { RunQueue, RunStore } from "../../src/store/types.ts";

it("never runs two sweeps at once, however slow a sweep is", async () => {
  // A sweep that outlasts many intervals, as add_job does on a busy PostgreSQL: before the
  // fix each tick started another, until they held every pool connection.
  let inFlight = 0;
  let most = 0;
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const store = {
    async requeueExpired() {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await released;
      inFlight -= 1;
      return [];
    },
    expireApprovals: async () => [],
    claimableRuns: async () => ["r-1"],
  } as unknown as RunStore;
  const enqueued: string[] = [];
  const queue = {
    consume: async () => async () => {},
    enqueue: async (runId: string) => {
      enqueued.push(runId);
    },
  } as unknown as RunQueue;
  const worker = new Worker(
    { store, queue, logger: createLogger("silent"), tryDrive: async () => undefined },
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
  expect(most).toBe(1);
  expect(enqueued.length).toBeGreaterThanOrEqual(1);
});
