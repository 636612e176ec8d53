import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Child, pollUntil, spawnNode } from "../fixtures/child-process.ts";
import { callWithProgress, connectHttp, example } from "../mcp/mcp-clients.ts";
import { killLeftovers } from "../support/fleet.ts";
import {
  describePostgres,
  dropSchemas,
  freshSchema,
  POSTGRES_URL,
  postgresUnavailable,
} from "../support/postgres.ts";
import { tempHome } from "../support/runtime.ts";

// The many-machines deployment, each part a real process: an API-only `serve --no-worker`
// and two `signalbox worker`s on one PostgreSQL schema. They share one --home only because
// the shipped support_triage keeps its business data (orders, refunds) in <home>/support.db.
const unavailable = await postgresUnavailable();
const schema = freshSchema("serve");
const environment = { SIGNALBOX_DATABASE_SCHEMA: schema };
const children: Child[] = [];

function signalbox(home: string, args: readonly string[]): Child {
  const child = spawnNode(
    ["bin/signalbox.js", "--home", home, "--database-url", POSTGRES_URL, ...args],
    environment,
  );
  children.push(child);
  return child;
}

/**
 * Records every insert and update of the runs table (status, owner, epoch) in
 * `owner_history`: who held each run, in order, which the runs row itself forgets once
 * the run is settled (owner cleared).
 */
async function recordOwners(pool: pg.Pool): Promise<void> {
  const q = pg.escapeIdentifier(schema);
  await pool.query(`
    CREATE TABLE ${q}.owner_history (
      position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      run_id text NOT NULL, status text NOT NULL, owner text, epoch integer NOT NULL);
    CREATE FUNCTION ${q}.record_owner() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO ${q}.owner_history (run_id, status, owner, epoch)
          VALUES (NEW.id, NEW.status, NEW.owner, NEW.epoch);
        RETURN NEW;
      END $$;
    CREATE TRIGGER record_owner AFTER INSERT OR UPDATE ON ${q}.runs
      FOR EACH ROW EXECUTE FUNCTION ${q}.record_owner();`);
}

describePostgres("serve --no-worker with two worker processes on PostgreSQL", unavailable, () => {
  const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });
  let home: string;
  let cleanup: () => void;
  let serve: Child;
  let url: string;
  let workerOwners: string[];

  beforeAll(async () => {
    ({ home, cleanup } = tempHome("signalbox-serve-pg-"));
    serve = signalbox(home, ["serve", "--no-worker", "--port", "0"]);
    url = await pollUntil(
      "the listening URL",
      () => /listening on (\S+)/.exec(serve.stdout())?.[1],
      { child: serve },
    );
    // serve has migrated the schema before listening; no run exists before the trigger.
    await recordOwners(pool);
    const workers = [0, 1].map(() => signalbox(home, ["worker", "--concurrency", "2"]));
    workerOwners = await Promise.all(
      workers.map((worker) =>
        pollUntil(
          "the worker to start",
          () => /signalbox worker (\S+) on postgres/.exec(worker.stdout())?.[1],
          { child: worker },
        ),
      ),
    );
  });

  afterAll(async () => {
    try {
      for (const child of children) child.process.kill("SIGTERM");
      // A safety net, not a threshold: a process still running by then does not stop.
      const finished = await Promise.race([
        Promise.all(children.map((child) => child.exited)),
        sleep(30_000, undefined, { ref: false }),
      ]);
      expect(finished, "every process exits on SIGTERM").toBeDefined();
      for (const { code, stderr } of finished ?? []) expect(code, stderr).toBe(0);
    } finally {
      await killLeftovers(children.splice(0));
      await pool.end();
      await dropSchemas([schema, `${schema}_worker`]);
      cleanup?.();
    }
  });

  it("an MCP call to support_triage completes with progress, driven by a worker, never by serve", async () => {
    const client = await connectHttp(url);
    const { run, progress } = await callWithProgress(
      client,
      "support_triage",
      example("refund-request"),
    ).finally(() => client.close());
    expect(run).toMatchObject({ status: "succeeded", output: { action: "refunded" } });
    expect(run.effects).toContainEqual(
      expect.objectContaining({ node: "issue_refund", status: "completed" }),
    );

    // Progress came from events a worker appended, read back by serve from PostgreSQL:
    // one message per finished node, in the order the worker logged them.
    const stored = await pool.query<{ event: { type: string; node?: string } }>(
      `SELECT event FROM ${pg.escapeIdentifier(schema)}.run_events WHERE run_id = $1 ORDER BY seq`,
      [run.runId],
    );
    const events = stored.rows.map((row) => row.event);
    expect(events[0]?.type).toBe("run-start");
    expect(events.at(-1)?.type).toBe("run-end");
    const finishedNodes = events.filter((event) => event.type === "node-end").map((e) => e.node);
    expect(progress.map((message) => message.split(" ")[0])).toEqual(finishedNodes);
    expect(progress).toContainEqual(expect.stringMatching(/^classify_intent → refund/));

    // Who held the run, from the trigger: created queued (by serve), claimed exactly once,
    // by one of the workers, then settled; serve's pid never signs a claim.
    const history = await pool.query<{ status: string; owner: string | null; epoch: number }>(
      `SELECT status, owner, epoch FROM ${pg.escapeIdentifier(schema)}.owner_history
        WHERE run_id = $1 ORDER BY position`,
      [run.runId],
    );
    const rows = history.rows;
    expect(rows[0]).toEqual({ status: "queued", owner: null, epoch: 0 });
    expect(rows.at(-1)).toEqual({ status: "succeeded", owner: null, epoch: 1 });
    const owners = [...new Set(rows.flatMap((row) => (row.owner === null ? [] : [row.owner])))];
    expect(owners).toHaveLength(1);
    expect(workerOwners).toContain(owners[0]);
    expect(owners[0]?.startsWith(`${serve.process.pid}@`)).toBe(false);
    expect(rows.filter((row) => row.status === "running").every((row) => row.epoch === 1)).toBe(
      true,
    );
  });
});
