/**
 * The dashboard's runs list over 100,000 runs: `/api/runs` pages (first, deep by keyset
 * cursor, filtered) timed over HTTP on a real server and SQLite store, against the same
 * page read by a bare better-sqlite3 query in the same process (ratio ours/bare), and an
 * OFFSET page at the same depth to show what keyset paging avoids.
 *
 * Run alone: BENCH_ONLY=dashboard npm run bench (PostgreSQL too when reachable at
 * DASHBOARD_BENCH_DATABASE_URL, default the local test database)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { encodeRunCursor } from "../src/dashboard/run-cursor.ts";
import { WorkflowRegistry } from "../src/runtime/registry.ts";
import { Runtime } from "../src/runtime/runtime.ts";
import { startHttpServer } from "../src/server/http-server.ts";
import { PostgresRunStore } from "../src/store/postgres-store.ts";
import { SqliteRunStore } from "../src/store/sqlite-store.ts";
import type { RunStore } from "../src/store/types.ts";
import { postgresUnavailable } from "../test/support/postgres-probe.ts";
import { median } from "./measure.ts";

const RUNS = 100_000;
const ROUNDS = 40;
const WORKFLOWS = ["support_triage", "billing", "onboarding", "returns"];
const STATUSES = ["succeeded", "succeeded", "succeeded", "failed", "waiting", "succeeded"];
const START = Date.parse("2026-10-01T00:00:00.000Z");

const pad = (value: number) => String(value).padStart(6, "0");
const createdAt = (index: number) => new Date(START + index * 25_000).toISOString();

/** 100,000 runs with one decision each (5% escalations, 10% LLM), in one transaction. */
function seed(path: string): void {
  const db = new Database(path);
  const run = db.prepare(
    `INSERT INTO runs (id, workflow, version, status, input, trigger, dry_run, created_at, updated_at, epoch)
     VALUES (?, ?, '1', ?, ?, 'bench', ?, ?, ?, 1)`,
  );
  const decision = db.prepare(
    `INSERT INTO decisions (run_id, key, sequence, node, kind, decided_by, at, record)
     VALUES (?, 'pick@1#0', 1, 'pick', ?, ?, ?, '{}')`,
  );
  db.transaction(() => {
    for (let index = 0; index < RUNS; index += 1) {
      const id = `run-${pad(index)}`;
      const at = createdAt(index);
      const word = index % 1000 === 7 ? "chargeback" : "refund";
      const input = JSON.stringify({
        customerId: `C-${index % 5000}`,
        message: `please ${word} order ${index}`,
      });
      run.run(
        id,
        WORKFLOWS[index % 4],
        STATUSES[index % 6],
        input,
        index % 50 === 0 ? 1 : 0,
        at,
        at,
      );
      const escalated = index % 20 === 3;
      const by = escalated ? "default" : index % 10 === 1 ? "llm" : "classifier";
      decision.run(id, escalated ? "escalation" : "route", by, at);
    }
  })();
  db.exec("ANALYZE");
  db.close();
}

interface Case {
  readonly name: string;
  readonly query: string;
  /** The same page, read bare. */
  readonly bare: { readonly sql: string; readonly params: readonly unknown[] };
}

const PAGE = 50;
const ORDER = "ORDER BY created_at DESC, id DESC";

type Dialect = "sqlite" | "postgres";

/** The cases' bare SQL in `dialect`: `?` placeholders become `$n`, SQLite functions PostgreSQL's. */
function inDialect(item: Case, dialect: Dialect, runs: string, decisions: string): Case {
  let sql = item.bare.sql
    .replaceAll("FROM runs", `FROM ${runs}`)
    .replaceAll("FROM decisions", `FROM ${decisions}`);
  if (dialect === "sqlite") return { ...item, bare: { ...item.bare, sql } };
  let index = 0;
  sql = sql
    .replace(
      "instr(lower(input), 'chargeback') > 0",
      "strpos(lower(input::text), 'chargeback') > 0",
    )
    .replace(/\?/g, () => `$${++index}`);
  return { ...item, bare: { ...item.bare, sql } };
}

function cases(): Case[] {
  const deep = (index: number) => ({ createdAt: createdAt(index), id: `run-${pad(index)}` });
  const middle = deep(RUNS / 2);
  const last = deep(PAGE * 2);
  return [
    {
      name: "first page",
      query: "",
      bare: { sql: `SELECT * FROM runs ${ORDER} LIMIT ?`, params: [PAGE + 1] },
    },
    {
      name: "page at 50,000 (cursor)",
      query: `cursor=${encodeRunCursor(middle)}`,
      bare: {
        sql: `SELECT * FROM runs WHERE (created_at, id) < (?, ?) ${ORDER} LIMIT ?`,
        params: [middle.createdAt, middle.id, PAGE + 1],
      },
    },
    {
      name: "page at 99,900 (cursor)",
      query: `cursor=${encodeRunCursor(last)}`,
      bare: {
        sql: `SELECT * FROM runs WHERE (created_at, id) < (?, ?) ${ORDER} LIMIT ?`,
        params: [last.createdAt, last.id, PAGE + 1],
      },
    },
    {
      name: "status=failed",
      query: "status=failed",
      bare: {
        sql: `SELECT * FROM runs WHERE status = ? ${ORDER} LIMIT ?`,
        params: ["failed", PAGE + 1],
      },
    },
    {
      name: "status=failed,waiting",
      query: "status=failed,waiting",
      bare: {
        sql: `SELECT * FROM runs WHERE status IN (?, ?) ${ORDER} LIMIT ?`,
        params: ["failed", "waiting", PAGE + 1],
      },
    },
    {
      name: "workflow=billing",
      query: "workflow=billing",
      bare: {
        sql: `SELECT * FROM runs WHERE workflow = ? ${ORDER} LIMIT ?`,
        params: ["billing", PAGE + 1],
      },
    },
    {
      name: "escalated=true",
      query: "escalated=true",
      bare: {
        sql: `SELECT r.* FROM runs r WHERE EXISTS (SELECT 1 FROM decisions d WHERE d.run_id = r.id AND d.kind = 'escalation') ${ORDER} LIMIT ?`,
        params: [PAGE + 1],
      },
    },
    {
      name: "decidedBy=llm",
      query: "decidedBy=llm",
      bare: {
        sql: `SELECT r.* FROM runs r WHERE EXISTS (SELECT 1 FROM decisions d WHERE d.run_id = r.id AND d.decided_by = 'llm') ${ORDER} LIMIT ?`,
        params: [PAGE + 1],
      },
    },
    {
      name: "q=chargeback (0.1% of inputs)",
      query: "q=chargeback",
      bare: {
        sql: `SELECT * FROM runs WHERE instr(lower(input), 'chargeback') > 0 ${ORDER} LIMIT ?`,
        params: [PAGE + 1],
      },
    },
  ];
}

async function timeAsync(work: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const p95 = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)] ?? Number.NaN;
};

/** One row of the table. */
export interface PagingResult {
  readonly name: string;
  /** Server time (the API's Server-Timing: parameters, store query, JSON). */
  readonly serverP50Ms: number;
  readonly serverP95Ms: number;
  /** The whole GET over loopback, as the client saw it. */
  readonly httpP50Ms: number;
  readonly bareP50Ms: number;
  readonly ratio: number;
  readonly rows: number;
}

/** A store seeded with the runs, and the same database read bare. */
interface Seeded {
  readonly label: string;
  readonly store: RunStore;
  readonly bare: (sql: string, params: readonly unknown[]) => Promise<unknown[]>;
  readonly runs: string;
  readonly decisions: string;
  readonly dialect: Dialect;
  readonly close: () => Promise<void>;
}

async function seededSqlite(): Promise<Seeded> {
  const directory = mkdtempSync(join(tmpdir(), "signalbox-bench-dashboard-"));
  const path = join(directory, "signalbox.db");
  await new SqliteRunStore(path, { synchronous: "NORMAL" }).close();
  seed(path);
  const db = new Database(path, { readonly: true });
  return {
    label: "SQLite",
    store: new SqliteRunStore(path, { synchronous: "NORMAL" }),
    bare: async (sql, params) => db.prepare(sql).all(...params),
    runs: "runs",
    decisions: "decisions",
    dialect: "sqlite",
    close: async () => {
      db.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

const SEED_POSTGRES = (runs: string, decisions: string) => `
  INSERT INTO ${runs} (id, workflow, version, status, input, trigger, dry_run, created_at, updated_at, epoch)
  SELECT 'run-' || lpad(i::text, 6, '0'),
    (ARRAY['support_triage','billing','onboarding','returns'])[i % 4 + 1], '1',
    (ARRAY['succeeded','succeeded','succeeded','failed','waiting','succeeded'])[i % 6 + 1],
    jsonb_build_object('customerId', 'C-' || (i % 5000), 'message',
      'please ' || CASE WHEN i % 1000 = 7 THEN 'chargeback' ELSE 'refund' END || ' order ' || i),
    'bench', i % 50 = 0, $1::timestamptz + i * interval '25 seconds',
    $1::timestamptz + i * interval '25 seconds', 1
  FROM generate_series(0, ${RUNS - 1}) AS i;
  INSERT INTO ${decisions} (run_id, key, sequence, node, kind, decided_by, at, record)
  SELECT 'run-' || lpad(i::text, 6, '0'), 'pick@1#0', 1, 'pick',
    CASE WHEN i % 20 = 3 THEN 'escalation' ELSE 'route' END,
    CASE WHEN i % 20 = 3 THEN 'default' WHEN i % 10 = 1 THEN 'llm' ELSE 'classifier' END,
    $1::timestamptz + i * interval '25 seconds', '{}'
  FROM generate_series(0, ${RUNS - 1}) AS i;`;

async function seededPostgres(databaseUrl: string): Promise<Seeded> {
  const schema = `bench_dashboard_${process.pid}`;
  const store = await PostgresRunStore.open({ connectionString: databaseUrl, schema });
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const runs = `${schema}.runs`;
  const decisions = `${schema}.decisions`;
  // Two statements with one parameter each: run them one at a time.
  for (const statement of SEED_POSTGRES(runs, decisions)
    .split(";")
    .filter((part) => part.trim()))
    await client.query(statement, [new Date(START).toISOString()]);
  await client.query(`ANALYZE ${runs}; ANALYZE ${decisions}`);
  return {
    label: "PostgreSQL",
    store,
    bare: async (sql, params) => (await client.query(sql, [...params])).rows,
    runs,
    decisions,
    dialect: "postgres",
    close: async () => {
      await client.query(`DROP SCHEMA ${schema} CASCADE`);
      await client.end();
    },
  };
}

/** Times each page over HTTP (server time from Server-Timing) and bare, interleaved. */
async function measure(seeded: Seeded): Promise<{ results: PagingResult[]; offsetMs: number }> {
  const runtime = new Runtime({ store: seeded.store, workflows: new WorkflowRegistry([]) });
  const server = await startHttpServer(runtime, { port: 0 });
  const base = server.url.replace(/\/mcp$/, "/api/runs?limit=50&");
  const results: PagingResult[] = [];
  try {
    for (const item of cases().map((each) =>
      inDialect(each, seeded.dialect, seeded.runs, seeded.decisions),
    )) {
      const bareQuery = () => seeded.bare(item.bare.sql, item.bare.params);
      let rows = 0;
      let serverMs = 0;
      const request = async () => {
        const response = await fetch(`${base}${item.query}`);
        rows = ((await response.json()) as { runs: unknown[] }).runs.length;
        serverMs = Number(/dur=([\d.]+)/.exec(response.headers.get("server-timing") ?? "")?.[1]);
      };
      for (let warm = 0; warm < 3; warm += 1) {
        await request();
        await bareQuery();
      }
      const ours: number[] = [];
      const server: number[] = [];
      const bareTimes: number[] = [];
      for (let round = 0; round < ROUNDS; round += 1) {
        ours.push(await timeAsync(request));
        server.push(serverMs);
        bareTimes.push(await timeAsync(async () => void (await bareQuery())));
      }
      const serverP50Ms = median(server);
      const bareP50Ms = median(bareTimes);
      results.push({
        name: item.name,
        serverP50Ms,
        serverP95Ms: p95(server),
        httpP50Ms: median(ours),
        bareP50Ms,
        ratio: serverP50Ms / bareP50Ms,
        rows,
      });
    }
    const offsetSql = inDialect(
      {
        name: "offset",
        query: "",
        bare: {
          sql: `SELECT * FROM runs ${ORDER} LIMIT ? OFFSET ?`,
          params: [PAGE + 1, RUNS - PAGE * 2],
        },
      },
      seeded.dialect,
      seeded.runs,
      seeded.decisions,
    ).bare;
    const offsetTimes: number[] = [];
    for (let round = 0; round < 10; round += 1)
      offsetTimes.push(
        await timeAsync(async () => void (await seeded.bare(offsetSql.sql, offsetSql.params))),
      );
    return { results, offsetMs: median(offsetTimes) };
  } finally {
    await server.close();
    await runtime.close();
    await seeded.close();
  }
}

function table(label: string, results: readonly PagingResult[], offsetMs: number): string {
  return [
    `### Dashboard: /api/runs over ${RUNS.toLocaleString("en")} runs (${label})`,
    "",
    "| page (50 runs) | server p50 | server p95 | GET over loopback p50 | bare SQL p50 | server/bare |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    ...results.map(
      (row) =>
        `| ${row.name} | ${row.serverP50Ms.toFixed(2)} ms | ${row.serverP95Ms.toFixed(2)} ms | ${row.httpP50Ms.toFixed(2)} ms | ${row.bareP50Ms.toFixed(2)} ms | ${row.ratio.toFixed(row.ratio < 1 ? 2 : 1)}x |`,
    ),
    "",
    `OFFSET paging to the depth of the last cursor page, bare: ${offsetMs.toFixed(2)} ms (median of 10).`,
  ].join("\n");
}

/**
 * Seeds 100,000 runs in SQLite (and in PostgreSQL when reachable at
 * DASHBOARD_BENCH_DATABASE_URL, default the local test database), then times the pages.
 */
export async function dashboardPaging(): Promise<{
  results: Record<string, PagingResult[]>;
  markdown: string;
}> {
  const sections: string[] = [];
  const results: Record<string, PagingResult[]> = {};
  const sqlite = await measure(await seededSqlite());
  results.sqlite = sqlite.results;
  sections.push(table("SQLite", sqlite.results, sqlite.offsetMs));
  const databaseUrl =
    process.env.DASHBOARD_BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
  const unavailable = await postgresUnavailable(databaseUrl);
  if (unavailable === undefined) {
    const postgres = await measure(await seededPostgres(databaseUrl));
    results.postgres = postgres.results;
    sections.push(table("PostgreSQL", postgres.results, postgres.offsetMs));
  } else sections.push(`PostgreSQL skipped: ${unavailable}`);
  sections.push(
    [
      `Server: the API's own Server-Timing (zod-checked parameters, the store query, JSON), median of ${ROUNDS},`,
      "each request interleaved with the bare query for the same page on the same database.",
    ].join("\n"),
  );
  return { results, markdown: sections.join("\n\n") };
}
