/**
 * The dashboard's runs list over 100,000 runs: `/api/runs` pages (first, deep by keyset
 * cursor, filtered) timed over HTTP on a real server and SQLite store, against the same
 * page read by a bare better-sqlite3 query in the same process (ratio ours/bare), and an
 * OFFSET page at the same depth to show what keyset paging avoids.
 *
 * Run alone: BENCH_ONLY=dashboard npm run bench
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { encodeRunCursor } from "../src/dashboard/run-cursor.ts";
import { WorkflowRegistry } from "../src/runtime/registry.ts";
import { Runtime } from "../src/runtime/runtime.ts";
import { startHttpServer } from "../src/server/http-server.ts";
import { SqliteRunStore } from "../src/store/sqlite-store.ts";
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

function timeSync(work: () => void): number {
  const started = process.hrtime.bigint();
  work();
  return Number(process.hrtime.bigint() - started) / 1e6;
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

/** Seeds 100,000 runs, then times each page over HTTP and bare, interleaved. */
export async function dashboardPaging(): Promise<{ results: PagingResult[]; markdown: string }> {
  const directory = mkdtempSync(join(tmpdir(), "signalbox-bench-dashboard-"));
  const path = join(directory, "signalbox.db");
  await new SqliteRunStore(path, { synchronous: "NORMAL" }).close();
  seed(path);
  const store = new SqliteRunStore(path, { synchronous: "NORMAL" });
  const runtime = new Runtime({ store, workflows: new WorkflowRegistry([]) });
  const server = await startHttpServer(runtime, { port: 0 });
  const base = server.url.replace(/\/mcp$/, "/api/runs?limit=50&");
  const bare = new Database(path, { readonly: true });
  const results: PagingResult[] = [];
  try {
    for (const item of cases()) {
      const statement = bare.prepare(item.bare.sql);
      let rows = 0;
      let serverMs = 0;
      const request = async () => {
        const response = await fetch(`${base}${item.query}`);
        rows = ((await response.json()) as { runs: unknown[] }).runs.length;
        serverMs = Number(/dur=([\d.]+)/.exec(response.headers.get("server-timing") ?? "")?.[1]);
      };
      for (let warm = 0; warm < 3; warm += 1) {
        await request();
        statement.all(...item.bare.params);
      }
      const ours: number[] = [];
      const server: number[] = [];
      const bareTimes: number[] = [];
      for (let round = 0; round < ROUNDS; round += 1) {
        ours.push(await timeAsync(request));
        server.push(serverMs);
        bareTimes.push(timeSync(() => statement.all(...item.bare.params)));
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
    const offset = bare.prepare(`SELECT * FROM runs ${ORDER} LIMIT ? OFFSET ?`);
    const offsetTimes = Array.from({ length: 10 }, () =>
      timeSync(() => offset.all(PAGE + 1, RUNS - PAGE * 2)),
    );
    const markdown = [
      `### Dashboard: /api/runs over ${RUNS.toLocaleString("en")} runs (SQLite)`,
      "",
      "| page (50 runs) | server p50 | server p95 | GET over loopback p50 | bare SQL p50 | server/bare |",
      "| --- | ---: | ---: | ---: | ---: | ---: |",
      ...results.map(
        (row) =>
          `| ${row.name} | ${row.serverP50Ms.toFixed(2)} ms | ${row.serverP95Ms.toFixed(2)} ms | ${row.httpP50Ms.toFixed(2)} ms | ${row.bareP50Ms.toFixed(2)} ms | ${row.ratio.toFixed(row.ratio < 1 ? 2 : 1)}x |`,
      ),
      "",
      `Server: the API's own Server-Timing (zod-checked parameters, the store query, JSON), median of ${ROUNDS}, each request`,
      "interleaved with the bare better-sqlite3 query for the same page in the same process. For comparison, OFFSET paging to the",
      `same depth as the last cursor page takes ${median(offsetTimes).toFixed(2)} ms bare (median of 10): keyset paging does not grow with depth.`,
    ].join("\n");
    return { results, markdown };
  } finally {
    bare.close();
    await server.close();
    await runtime.close();
    rmSync(directory, { recursive: true, force: true });
  }
}
