import pg from "pg";
import { afterAll, expect, it } from "vitest";
import { POSTGRES_MIGRATIONS } from "../../src/store/postgres-schema.ts";
import { PostgresRunStore } from "../../src/store/postgres-store.ts";
import {
  describePostgres,
  dropSchemas,
  freshSchema,
  POSTGRES_URL,
  postgresUnavailable,
} from "../support/postgres.ts";
import { describeRunStoreContract } from "./run-store-contract.ts";
import { claimedRun, sleep } from "./run-store-fixtures.ts";

const unavailable = await postgresUnavailable();
const schema = freshSchema("store");
const otherSchemas: string[] = [];
const open = (name = schema) =>
  PostgresRunStore.open({ connectionString: POSTGRES_URL, schema: name });

describePostgres("PostgresRunStore", unavailable, () => {
  afterAll(() => dropSchemas([schema, ...otherSchemas]));

  describeRunStoreContract("postgres", () => open());

  it("migrates a fresh schema once when several processes open it at the same time", async () => {
    const fresh = freshSchema("migrate");
    otherSchemas.push(fresh);
    const stores = await Promise.all([open(fresh), open(fresh), open(fresh)]);
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    const versions = await client.query(
      `SELECT version FROM ${pg.escapeIdentifier(fresh)}.signalbox_migrations ORDER BY version`,
    );
    await client.end();
    expect(versions.rows.map((row) => Number(row.version))).toEqual(
      POSTGRES_MIGRATIONS.map((_, index) => index + 1),
    );
    expect(await stores[0]?.checkpointer.getTuple({ configurable: { thread_id: "none" } })).toBe(
      undefined,
    );
    await Promise.all(stores.map((store) => store.close()));
  });

  it("wakes event watchers in other processes through LISTEN/NOTIFY", async () => {
    const writer = await open();
    const reader = await open();
    const woken: string[] = [];
    const stop = await reader.watchEvents((runId) => woken.push(runId));
    const { lease } = await claimedRun(writer, `notify-${Date.now()}`);
    await writer.appendEvents(lease, [{ type: "run-start" }]);
    for (let waited = 0; waited < 2_000 && !woken.includes(lease.runId); waited += 20)
      await sleep(20);
    expect(woken).toContain(lease.runId);
    await stop();
    await writer.appendEvents(lease, [{ type: "node-start" }]);
    await sleep(100);
    expect(woken.filter((id) => id === lease.runId)).toHaveLength(1);
    await writer.close();
    await reader.close();
  });

  it("keeps watching events after the listening connection is killed", async () => {
    const store = await open();
    const woken: string[] = [];
    const stop = await store.watchEvents((runId) => woken.push(runId));
    const killed = await store.pool.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1",
      [`LISTEN ${pg.escapeIdentifier(store.eventsChannel)}`],
    );
    expect(killed.rowCount).toBe(1);
    const { lease } = await claimedRun(store, `relisten-${Date.now()}`);
    for (let waited = 0; waited < 5_000 && !woken.includes(lease.runId); waited += 50) {
      await store.appendEvents(lease, [{ type: "tick" }]);
      await sleep(50);
    }
    expect(woken).toContain(lease.runId);
    await stop();
    await store.close();
  });

  it("rejects a schema name that is not a plain identifier", async () => {
    await expect(open("bad-name; drop")).rejects.toMatchObject({ code: "CONFIG_INVALID" });
  });
});
