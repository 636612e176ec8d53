import { hostname } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DecisionRecord } from "../../src/contracts/decision.ts";
import type { RunEvent } from "../../src/graph/events.ts";
import { SqliteRunStore } from "../../src/store/sqlite-store.ts";
import type { RunRecord } from "../../src/store/types.ts";
import { pollUntil, spawnTs } from "../fixtures/child-process.ts";
import { CRASH_WRITE_STEPS } from "../fixtures/crash-worker.ts";
import { type LedgerRow, readLedger } from "../fixtures/ledger.ts";
import { tempHome } from "../support/runtime.ts";

const WORKER = "test/fixtures/crash-worker.ts";
/** The nodes a run of the crash workflow passes through, in order. */
const PATH = ["reserve", "price", "choose", "charge", "notify", "ship"];

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function home(list = cleanups): string {
  const { home: dir, cleanup } = tempHome("signalbox-crash-");
  list.push(cleanup);
  return dir;
}

function openStore(dir: string, list = cleanups): SqliteRunStore {
  const store = new SqliteRunStore(join(dir, "signalbox.db"));
  list.unshift(() => void store.close());
  return store;
}

const countByKey = (rows: readonly LedgerRow[]) => {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row.key, (counts.get(row.key) ?? 0) + 1);
  return Object.fromEntries(counts);
};

/** What a decision says, without the run it belongs to or when it was made. */
const gist = (decision: DecisionRecord) => ({
  key: decision.key,
  sequence: decision.sequence,
  node: decision.node,
  kind: decision.kind,
  choice: decision.choice,
  decidedBy: decision.decidedBy,
  reason: decision.reason,
  step: decision.step,
});

describe("crash recovery across processes", () => {
  const suiteCleanups: (() => void)[] = [];
  let referenceRun: RunRecord;
  let referenceDecisions: DecisionRecord[];

  // Reference: the same workflow, uninterrupted, in its own home.
  beforeAll(async () => {
    const homeA = home(suiteCleanups);
    const reference = await spawnTs(WORKER, ["start", homeA]).exited;
    expect(reference.code, reference.stderr).toBe(0);
    const [referenceId, referenceJson] = reference.stdout.trim().split("\n");
    referenceRun = JSON.parse(referenceJson ?? "null") as RunRecord;
    expect(referenceRun).toMatchObject({ id: referenceId, status: "succeeded" });
    expect(readLedger(homeA).performances.map((row) => row.node)).toEqual([...CRASH_WRITE_STEPS]);
    referenceDecisions = await openStore(homeA, suiteCleanups).listDecisions({
      runId: referenceRun.id,
    });
    expect(referenceDecisions.map((d) => [d.node, d.kind, d.choice])).toEqual([
      ["choose", "route", "big"],
    ]);
  }, 180_000);
  afterAll(() => {
    for (const cleanup of suiteCleanups.splice(0)) cleanup();
  });

  it("a SIGKILLed run recovers in another process with the same output and every write performed exactly once", async () => {
    // Crash: start in home B; the worker is SIGKILLed once two writes are done and the third
    // (notify) has begun: at a known point, not at the mercy of a poll on a loaded machine.
    const homeB = home();
    const worker = spawnTs(WORKER, ["start", homeB], { CRASH_DIE_IN: "notify" });
    const runId = await pollUntil(
      "the run id",
      () => {
        const lines = worker.stdout().split("\n");
        return lines.length > 1 ? lines[0] : undefined;
      },
      { child: worker },
    );
    const killed = await worker.exited;
    expect(killed.signal).toBe("SIGKILL");
    expect(killed.stdout.trim()).toBe(runId); // it never got to print a final run

    // The store still says running, owned by a process that is gone.
    const store = openStore(homeB);
    const atKill = await store.getRun(runId);
    expect(atKill).toMatchObject({ status: "running", finishedAt: null, output: undefined });
    expect(atKill?.owner).toMatch(`${worker.process.pid}@${hostname()}/`);
    // Its lease, renewed no more, runs out: then (and only then) the run is claimable.
    await pollUntil("the dead worker's lease to run out", async () =>
      (await store.claimableRuns(10)).includes(runId) ? true : undefined,
    );
    const journalAtKill = await store.listEffects(runId);
    const interrupted = journalAtKill.filter((effect) => effect.status === "started");
    expect(interrupted).toHaveLength(1);
    const interruptedNode = interrupted[0]?.node ?? "";
    const ledgerAtKill = readLedger(homeB);
    expect(ledgerAtKill.performances.map((row) => row.node)).toEqual(["reserve", "charge"]);
    expect(interruptedNode).toBe("notify");
    expect(ledgerAtKill.performances.map((row) => row.key)).toEqual(
      journalAtKill.filter((effect) => effect.status === "completed").map((effect) => effect.key),
    );
    const decisionsAtKill = await store.listDecisions({ runId });
    expect(decisionsAtKill.map((d) => d.node)).toEqual(["choose"]); // routed before the crash

    // Recover in a fresh process.
    const recoverer = spawnTs(WORKER, ["recover", homeB]);
    const recovery = await recoverer.exited;
    expect(recovery.code, recovery.stderr).toBe(0);
    const { touched, events } = JSON.parse(recovery.stdout) as {
      touched: RunRecord[];
      events: RunEvent[];
    };
    expect(touched.map((run) => [run.id, run.status])).toEqual([[runId, "succeeded"]]);
    expect(touched[0]?.output).toEqual(referenceRun.output);

    const final = await store.getRun(runId);
    expect(final).toMatchObject({ status: "succeeded", owner: null, error: null });
    expect(final?.output).toEqual(referenceRun.output);

    // Exactly once: one performance per write step, each under its own key, matching the journal.
    const ledger = readLedger(homeB);
    const keys = ledger.performances.map((row) => row.key);
    expect(ledger.performances.map((row) => row.node)).toEqual([...CRASH_WRITE_STEPS]);
    expect(Object.values(countByKey(ledger.performances))).toEqual(CRASH_WRITE_STEPS.map(() => 1));
    expect(keys).toHaveLength(CRASH_WRITE_STEPS.length);
    const journal = await store.listEffects(runId);
    expect(journal.map((effect) => [effect.node, effect.status])).toEqual(
      CRASH_WRITE_STEPS.map((node) => [node, "completed"]),
    );
    expect(keys).toEqual(journal.map((effect) => effect.key));
    // What was performed before the crash stayed as it was; the rest was performed by the recoverer.
    expect(ledger.performances.slice(0, ledgerAtKill.performances.length)).toEqual(
      ledgerAtKill.performances,
    );
    expect(ledgerAtKill.performances.every((row) => row.pid === worker.process.pid)).toBe(true);
    expect(
      ledger.performances
        .slice(ledgerAtKill.performances.length)
        .every((row) => row.pid === recoverer.process.pid),
    ).toBe(true);
    // The effect cut short was begun again under the same idempotency key, never a new one.
    expect(countByKey(ledger.attempts)).toEqual(
      Object.fromEntries(
        journal.map((effect) => [effect.key, effect.key === interrupted[0]?.key ? 2 : 1]),
      ),
    );

    // It resumed from the last checkpoint: only the interrupted node and the ones after it ran again.
    const rerun = events.flatMap((event) => (event.type === "node-start" ? [event.node] : []));
    expect(rerun).toEqual(PATH.slice(PATH.indexOf(interruptedNode)));
    const effectEvents = events.flatMap((event) =>
      event.type === "effect" ? [[event.node, event.status]] : [],
    );
    expect(effectEvents).toEqual(
      CRASH_WRITE_STEPS.slice(CRASH_WRITE_STEPS.indexOf(interruptedNode as never)).map((node) => [
        node,
        "performed",
      ]),
    );

    // The decision log: no duplicates, the route decided before the crash kept as it was,
    // and the same path as the uninterrupted run.
    const decisions = await store.listDecisions({ runId });
    expect(new Set(decisions.map((d) => d.key)).size).toBe(decisions.length);
    expect(new Set(decisions.map((d) => `${d.node}/${d.kind}`)).size).toBe(decisions.length);
    expect(decisions).toEqual(decisionsAtKill);
    expect(decisions.map(gist)).toEqual(referenceDecisions.map(gist));
  }, 180_000);

  // A process can die after the run row exists but before LangGraph saved its first checkpoint:
  // recovery must start over from the stored input.
  it("a run whose process died before its first checkpoint is recovered from its input", async () => {
    const dir = home();
    const worker = await spawnTs(WORKER, ["die-at-start", dir]).exited;
    expect(worker.signal).toBe("SIGKILL");
    const runId = worker.stdout.trim();
    const store = openStore(dir);
    expect(await store.getRun(runId)).toMatchObject({ status: "running", finishedAt: null });
    expect(readLedger(dir)).toEqual({ attempts: [], performances: [] });
    await pollUntil("the dead worker's lease to run out", async () =>
      (await store.claimableRuns(10)).includes(runId) ? true : undefined,
    );

    const recovery = await spawnTs(WORKER, ["recover", dir]).exited;
    expect(recovery.code, recovery.stderr).toBe(0);
    const { touched } = JSON.parse(recovery.stdout) as { touched: RunRecord[] };
    expect(touched.map((run) => [run.id, run.status, run.error])).toEqual([
      [runId, "succeeded", null],
    ]);
    expect(touched[0]?.output).toEqual(referenceRun.output);
    const ledger = readLedger(dir);
    expect(ledger.performances.map((row) => row.node)).toEqual([...CRASH_WRITE_STEPS]);
    expect(new Set(ledger.performances.map((row) => row.key)).size).toBe(CRASH_WRITE_STEPS.length);
  }, 180_000);
});
