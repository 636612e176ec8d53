import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { EventLog } from "../../src/runtime/event-log.ts";
import { SqliteRunStore } from "../../src/store/sqlite-store.ts";
import { claimedRun } from "../store/run-store-fixtures.ts";
import { tempHome } from "../support/runtime.ts";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function open() {
  const { home, cleanup } = tempHome("signalbox-event-log-");
  const store = new SqliteRunStore(join(home, "signalbox.db"));
  cleanups.push(cleanup, () => store.close());
  return store;
}

describe("the event log of a drive", () => {
  it("drains only once no append is under way, a timed flush that started meanwhile included", async () => {
    const store = open();
    const { lease } = await claimedRun(store, "drained");
    const lost: unknown[] = [];
    const log = new EventLog(store, lease, pino({ level: "silent" }), (error) => lost.push(error));
    // Only the flush timer is faked: SQLite's group commit still runs on setImmediate.
    vi.useFakeTimers({ toFake: ["setTimeout"] });
    log.push({ type: "run-start", runId: lease.runId, workflow: "w", at: "t0" });
    const first = log.flush();
    log.push({ type: "node-start", runId: lease.runId, node: "a", at: "t1" });
    const draining = log.drain();
    // The timed flush fires while the drain waits for the first append: it takes node-start.
    vi.advanceTimersByTime(20);
    const rest = await draining;
    await first;
    // Everything pushed is stored or handed over, and nothing is still being appended:
    // the caller's transaction (the settlement) comes after every event.
    const stored = (await store.listEvents(lease.runId, 0)).map((event) => event.event);
    expect([...stored, ...rest].map((event) => (event as { type: string }).type)).toEqual([
      "run-start",
      "node-start",
    ]);
    await store.settleRun(lease, {
      status: "succeeded",
      events: [...rest, { type: "run-end", runId: lease.runId, status: "succeeded", at: "t2" }],
    });
    const all = (await store.listEvents(lease.runId, 0)).map(
      (event) => (event.event as { type: string }).type,
    );
    expect(all).toEqual(["run-start", "node-start", "run-end"]);
    expect(lost).toEqual([]);
  });
});
