import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { SQLITE_MIGRATIONS } from "../../src/store/sqlite-schema.ts";
import { SqliteRunStore } from "../../src/store/sqlite-store.ts";
import { tempHome } from "../support/runtime.ts";
import { describeRunStoreContract } from "./run-store-contract.ts";
import { decisionRecord } from "./run-store-fixtures.ts";

const homes: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of homes.splice(0)) cleanup();
});

function path(): string {
  const { home, cleanup } = tempHome("signalbox-store-");
  homes.push(cleanup);
  return join(home, "signalbox.db");
}

describe("SqliteRunStore", () => {
  it("migrates a new file to the latest schema version, and reopens without re-running migrations", async () => {
    const file = path();
    const store = new SqliteRunStore(file);
    await store.createRun({
      id: "r1",
      workflow: "w",
      version: "1",
      input: { a: 1 },
      trigger: "test",
      dryRun: false,
    });
    await store.close();
    const raw = new Database(file);
    expect(raw.pragma("user_version", { simple: true })).toBe(SQLITE_MIGRATIONS.length);
    raw.close();
    const again = new SqliteRunStore(file);
    expect((await again.getRun("r1"))?.input).toEqual({ a: 1 });
    await again.close();
  });

  it("upgrades a file of the first wave: its runs count as claimed once, so a claim looks for their checkpoint", async () => {
    const file = path();
    const old = new Database(file);
    old.exec(SQLITE_MIGRATIONS.slice(0, 2).join(";\n"));
    old.pragma("user_version = 2");
    old
      .prepare(
        `INSERT INTO runs (id, workflow, version, status, input, trigger, owner, lease_until, created_at, updated_at)
         VALUES ('r1', 'w', '1', 'running', '{}', 'cli', '1@h', '2000-01-01T00:00:00.000Z', 'x', 'x')`,
      )
      .run();
    old.close();
    const store = new SqliteRunStore(file);
    expect((await store.getRun("r1"))?.epoch).toBe(1);
    expect((await store.claimRun("r1", { owner: "me", leaseMs: 1000 }))?.epoch).toBe(2);
    await store.close();
  });

  it("keeps a file's run events, in order and still unique per sequence, when it moves them to the appended table", async () => {
    const file = path();
    const old = new Database(file);
    old.exec(SQLITE_MIGRATIONS.slice(0, 7).join(";\n"));
    old.pragma("user_version = 7");
    const insert = old.prepare(
      "INSERT INTO run_events (run_id, seq, event, at) VALUES (?, ?, ?, 'x')",
    );
    for (const [run, seq] of [
      ["r2", 1],
      ["r1", 2],
      ["r1", 1],
    ] as const)
      insert.run(run, seq, JSON.stringify({ type: "node-start", node: `${run}-${seq}` }));
    old.close();
    const store = new SqliteRunStore(file);
    const events = await store.listEvents("r1", 0);
    expect(events.map((stored) => [stored.seq, stored.event])).toEqual([
      [1, { type: "node-start", node: "r1-1" }],
      [2, { type: "node-start", node: "r1-2" }],
    ]);
    expect((await store.listEvents("r2", 0)).map((stored) => stored.seq)).toEqual([1]);
    await store.close();
    const raw = new Database(file);
    expect(() =>
      raw
        .prepare("INSERT INTO run_events (run_id, seq, event, at) VALUES ('r1', 2, '{}', 'x')")
        .run(),
    ).toThrow(/UNIQUE/);
    raw.close();
  });

  it("commits writes asked for together as one group, where a write that throws undoes and fails only itself", async () => {
    const store = new SqliteRunStore(path());
    const base = { workflow: "w", version: "1", input: {}, trigger: "test", dryRun: false };
    const held = await store.createRun({
      ...base,
      id: "r1",
      claim: { owner: "me", leaseMs: 60_000 },
    });
    const lost = { runId: "r1", owner: "me", epoch: held.epoch + 1 };
    // Asked for in one turn: one transaction, a savepoint each.
    const [refused, created, recorded] = await Promise.allSettled([
      store.recordDecision(decisionRecord("r1", "pick@1.1#route0", "a"), lost),
      store.createRun({ ...base, id: "r2" }),
      store.recordDecision(decisionRecord("r1", "pick@2.1#route0", "b"), {
        runId: "r1",
        owner: "me",
        epoch: held.epoch,
      }),
    ]);
    expect(refused).toMatchObject({ status: "rejected", reason: { code: "LEASE_LOST" } });
    expect(created).toMatchObject({ status: "fulfilled", value: { id: "r2" } });
    expect(recorded).toMatchObject({ status: "fulfilled", value: { sequence: 1, choice: "b" } });
    const stored = await store.listDecisions({ runId: "r1" });
    expect(stored.map((decision) => decision.key)).toEqual(["pick@2.1#route0"]);
    await store.close();
  });

  it("replaces a decision replayed with the same key, keeping its sequence", async () => {
    const store = new SqliteRunStore(path());
    await store.createRun({
      id: "r1",
      workflow: "w",
      version: "1",
      input: {},
      trigger: "test",
      dryRun: false,
    });
    const first = await store.recordDecision(decisionRecord("r1", "pick@1.1#route0", "a"));
    const second = await store.recordDecision(decisionRecord("r1", "other@2.1#route0", "b"));
    const replayed = await store.recordDecision(decisionRecord("r1", "pick@1.1#route0", "b"));
    expect([first.sequence, second.sequence, replayed.sequence]).toEqual([1, 2, 1]);
    const stored = await store.listDecisions({ runId: "r1" });
    expect(stored.map((entry) => [entry.sequence, entry.choice])).toEqual([
      [1, "b"],
      [2, "b"],
    ]);
    await store.close();
  });
  it("loads LangGraph's saver while another process holds the write lock, once it is let go", async () => {
    const file = path();
    const store = new SqliteRunStore(file);
    // Another connection (as another process would) holds the write lock while this store
    // loads its saver, which must create LangGraph's tables in this new database.
    const other = new Database(file);
    other.exec("BEGIN IMMEDIATE");
    setTimeout(() => other.exec("COMMIT"), 300);
    const config = { configurable: { thread_id: "r1", checkpoint_ns: "" } };
    expect(await store.checkpointer.getTuple(config)).toBeUndefined();
    const tables = other
      .prepare("SELECT name FROM sqlite_master WHERE name IN ('checkpoints', 'writes')")
      .pluck()
      .all();
    expect(tables.sort()).toEqual(["checkpoints", "writes"]);
    other.close();
    await store.close();
  });

  // Claims, fencing, approvals and events: test/store/run-store-contract.ts, run below.
});

describeRunStoreContract("sqlite", async () => new SqliteRunStore(path()));
