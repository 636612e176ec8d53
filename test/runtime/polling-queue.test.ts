import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { createLogger } from "../../src/runtime/logger.ts";
import { createPollingQueue } from "../../src/runtime/polling-queue.ts";
import { SqliteRunStore } from "../../src/store/sqlite-store.ts";
import type { RunStore } from "../../src/store/types.ts";
import { tempHome } from "../support/runtime.ts";

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function gate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

const newRun = (id: string) => ({
  id,
  workflow: "w",
  version: "1",
  input: {},
  trigger: "test",
  dryRun: false,
});

it("looks again after a claim even while a lookup is in flight, instead of joining its stale answer", async () => {
  const { home, cleanup } = tempHome("signalbox-polling-");
  const real = new SqliteRunStore(join(home, "signalbox.db"));
  cleanups.push(cleanup, () => real.close());
  await real.createRun(newRun("r-1"));
  await real.createRun(newRun("r-2"));
  // The second lookup reads the table, then is held before it answers.
  const held = gate();
  const lookups: string[][] = [];
  const store = new Proxy(real, {
    get(target, property, receiver) {
      if (property !== "claimableRuns") return Reflect.get(target, property, receiver);
      return async (limit: number) => {
        const found = await target.claimableRuns(limit);
        lookups.push(found);
        if (lookups.length === 2) await held.opened;
        return found;
      };
    },
  }) as RunStore;
  // The timer never fires during the test: every lookup here is a re-poll after a claim.
  const queue = createPollingQueue({ store, logger: createLogger("silent"), pollMs: 3_600_000 });
  cleanups.push(() => queue.close());
  const finish = new Map([
    ["r-1", gate()],
    ["r-2", gate()],
  ]);
  const delivered: string[] = [];
  await queue.consume(
    async (runId) => {
      delivered.push(runId);
      await real.claimRun(runId, { owner: "worker", leaseMs: 60_000 });
      await finish.get(runId)?.opened;
      return true;
    },
    { concurrency: 2 },
  );
  await expect.poll(() => delivered).toEqual(["r-1", "r-2"]);

  finish.get("r-1")?.open(); // claimed: the queue looks again (lookup 2, held)
  await expect.poll(() => lookups.length).toBe(2);
  await real.createRun(newRun("r-3")); // enqueued by another process meanwhile
  finish.get("r-2")?.open(); // claimed while lookup 2 is in flight
  held.open(); // lookup 2 answers what it read before r-3 existed

  await expect.poll(() => delivered, { timeout: 10_000 }).toEqual(["r-1", "r-2", "r-3"]);
  // r-1 and r-2; the held stale answer; the look that followed it and found r-3.
  expect(lookups.slice(0, 3).map((found) => found.length)).toEqual([2, 0, 1]);
});
