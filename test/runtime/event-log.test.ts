import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { RunEvent } from "../../src/graph/events.ts";
import { EventLog } from "../../src/runtime/event-log.ts";
import { createLogger } from "../../src/runtime/logger.ts";
import { SqliteRunStore } from "../../src/store/sqlite-store.ts";
import { claimedRun } from "../store/run-store-fixtures.ts";
import { tempHome } from "../support/runtime.ts";

// The driver's event log on a real SQLite store: what the settle takes, and when.
let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

const nodeEnd = (node: string): RunEvent => ({
  type: "node-end",
  runId: "r",
  node,
  durationMs: 1,
  at: "2026-11-30T00:00:00.000Z",
});

async function openLog() {
  const { home, cleanup } = tempHome("signalbox-event-log-");
  const store = new SqliteRunStore(join(home, "signalbox.db"));
  cleanups.push(cleanup, () => store.close());
  const { lease } = await claimedRun(store, "run-1");
  const lost: unknown[] = [];
  const log = new EventLog(store, lease, createLogger("silent"), (error) => lost.push(error));
  const stored = async () =>
    (await store.listEvents(lease.runId, 0)).map((entry) => (entry.event as { node: string }).node);
  return { log, stored, lost };
}

describe("EventLog.drain", () => {
  it("hands over the events not yet appended, once the appends under way are stored", async () => {
    const { log, stored } = await openLog();
    log.push(nodeEnd("a"));
    void log.flush();
    log.push(nodeEnd("b"));
    expect((await log.drain()).map((event) => (event as { node: string }).node)).toEqual(["b"]);
    expect(await stored()).toEqual(["a"]);
  });

  it("waits for an append that starts while it waits (the timed flush), so none commits after the settle", async () => {
    const { log, stored, lost } = await openLog();
    log.push(nodeEnd("a"));
    void log.flush();
    log.push(nodeEnd("b"));
    const drained = log.drain();
    // What the 20 ms timer does when it fires while the settle waits: it takes "b".
    void log.flush();
    expect(await drained).toEqual([]);
    expect(await stored()).toEqual(["a", "b"]);
    expect(lost).toEqual([]);
  });
});
