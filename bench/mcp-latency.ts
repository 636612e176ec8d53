/**
 * MCP serving overhead: `tools/call` of a trivial workflow (one pure step)
 * served by our MCP server (`createMcpServer` over a `Runtime` with its SQLite
 * run store) vs the bare SDK (`McpServer` + `registerTool` invoking the same
 * compiled LangGraph graph, with SqliteSaver or no checkpointer), over stdio
 * and over Streamable HTTP. Every server is its own child process; the calls
 * are interleaved round by round (order rotating) in one run. Wall time is the
 * client's; CPU is the server process's, from /proc (Linux).
 *
 * Run: BENCH_ONLY=mcp npm run bench   (this section alone; updates its part of latest.json)
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult, LoggingLevel } from "@modelcontextprotocol/sdk/types.js";
import { ECHO_INPUT, ECHO_TOOL } from "./mcp-echo-workflow.ts";
import { median } from "./measure.ts";
import { type Target, targetLines } from "./report.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
/** Issue 12: a workflow's `tools/call` costs at most this much of the bare SDK's. */
const TARGET = 1.15;
const BARE = "bench/mcp-server-bare.ts";
const OURS = "bench/mcp-server-ours.ts";
/** A server, as `node --import tsx <script>`; `logLevel`: the client sends logging/setLevel first. */
interface Variant {
  readonly script: readonly string[];
  readonly logLevel?: LoggingLevel;
}
const VARIANTS = {
  "bare, no checkpointer": { script: [BARE] },
  "bare, SqliteSaver": { script: [BARE, "--sqlite"] },
  ours: { script: [OURS] },
  // What a client that asks for our log messages pays for them (run start and end per call).
  'ours, client log level "info"': { script: [OURS], logLevel: "info" },
  // Bare's SqliteSaver runs synchronous=NORMAL; ours defaults to FULL (an fsync per commit).
  // Same durability, same footing: the target is judged on this row.
  "ours, synchronous=NORMAL (as bare)": { script: [OURS, "--synchronous=NORMAL"] },
} as const satisfies Record<string, Variant>;
type VariantName = keyof typeof VARIANTS;
const BASELINE: VariantName = "bare, SqliteSaver";

const progress = (message: string) => process.stderr.write(`bench: ${message}\n`);

/** A connected client to one bench server process. */
interface Served {
  readonly pid: number;
  call(): Promise<void>;
  close(): Promise<void>;
}

/** Timings of one variant, per call: client wall ms, server CPU ms, client CPU ms. */
interface Samples {
  readonly wallMs: number[];
  readonly cpuMs: number[];
  readonly clientCpuMs: number[];
}

/** CPU time of a process in ms: the sum over its threads of /proc/…/schedstat (ns), else /proc/…/stat ticks. */
function processCpuMs(pid: number): number {
  try {
    const tasks = readdirSync(`/proc/${pid}/task`);
    const ns = tasks.reduce((sum, task) => {
      const text = readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8");
      return sum + Number(text.split(" ")[0]);
    }, 0);
    if (Number.isFinite(ns) && ns > 0) return ns / 1e6;
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

async function callEcho(client: Client): Promise<void> {
  const result = (await client.callTool({
    name: ECHO_TOOL,
    arguments: ECHO_INPUT,
  })) as CallToolResult;
  const output = (result.structuredContent as { output?: { length?: number } } | undefined)?.output;
  if (result.isError || output?.length !== ECHO_INPUT.text.length)
    throw new Error(`echo failed: ${JSON.stringify(result).slice(0, 300)}`);
}

async function connected(client: Client, variant: Variant): Promise<() => Promise<void>> {
  if (variant.logLevel !== undefined) await client.setLoggingLevel(variant.logLevel);
  return () => callEcho(client);
}

async function serveStdio(variant: Variant): Promise<Served> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ["--import", "tsx", ...variant.script],
    cwd: ROOT,
    stderr: "inherit",
  });
  const client = new Client({ name: "bench", version: "1.0.0" });
  await client.connect(transport);
  const pid = transport.pid;
  if (pid === null) throw new Error(`${variant.script.join(" ")}: no pid`);
  return { pid, call: await connected(client, variant), close: () => client.close() };
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.once("line", (line) => {
      lines.close();
      resolve(line);
    });
    child.once("exit", (code) => reject(new Error(`bench server exited with ${code}`)));
  });
}

async function serveHttp(variant: Variant): Promise<Served> {
  const child = spawn(process.execPath, ["--import", "tsx", ...variant.script, "--http"], {
    cwd: ROOT,
    stdio: ["pipe", "pipe", "inherit"],
  });
  const url = (await firstLine(child)).replace(/^listening /, "");
  const client = new Client({ name: "bench", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(url));
  await client.connect(transport);
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const close = async () => {
    await transport.terminateSession().catch(() => undefined);
    await client.close();
    child.stdin?.end();
    await exited;
  };
  return { pid: child.pid ?? 0, call: await connected(client, variant), close };
}

/**
 * Calls every variant once per round, rotating the order. A call's server CPU
 * is read from one round to the next, so work the server does after answering
 * is counted with the call that caused it.
 */
async function interleaveCalls(
  served: Readonly<Record<VariantName, Served>>,
  options: { warmup: number; minRounds: number; budgetMs: number },
): Promise<Record<VariantName, Samples>> {
  const names = Object.keys(served) as VariantName[];
  for (let round = 0; round < options.warmup; round += 1)
    for (const name of names) await served[name].call();
  const samples = Object.fromEntries(
    names.map((name): [VariantName, Samples] => [name, { wallMs: [], cpuMs: [], clientCpuMs: [] }]),
  ) as Record<VariantName, Samples>;
  const cpuBefore = new Map(names.map((name) => [name, processCpuMs(served[name].pid)]));
  const started = performance.now();
  for (
    let round = 0;
    round < options.minRounds || performance.now() - started < options.budgetMs;
    round += 1
  ) {
    for (const offset of names.keys()) {
      const name = names[(offset + round) % names.length] as VariantName;
      const cpu = processCpuMs(served[name].pid);
      if (round > 0) samples[name].cpuMs.push(cpu - (cpuBefore.get(name) ?? cpu));
      cpuBefore.set(name, cpu);
      const clientCpu = process.cpuUsage();
      const callStarted = performance.now();
      await served[name].call();
      samples[name].wallMs.push(performance.now() - callStarted);
      const used = process.cpuUsage(clientCpu);
      samples[name].clientCpuMs.push((used.user + used.system) / 1000);
    }
  }
  for (const name of names)
    samples[name].cpuMs.push(processCpuMs(served[name].pid) - (cpuBefore.get(name) ?? 0));
  return samples;
}

/** Median over rounds of ours/baseline in the same round. */
const pairedRatio = (ours: readonly number[], base: readonly number[]) =>
  median(ours.map((value, round) => value / (base[round] ?? Number.NaN)));

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : "n/a");
const times = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : "n/a");

function tableRows(transport: string, rows: ReturnType<typeof variantRows>): string[] {
  return rows.map((row) => {
    const cells = [
      transport,
      row.server,
      ms(row.wallMs),
      ms(row.serverCpuMs),
      ms(row.clientCpuMs),
      times(row.wallRatio),
      times(row.serverCpuRatio),
      String(row.calls),
    ];
    return `| ${cells.join(" | ")} |`;
  });
}

/** One transport's verdict, judged on wall time and (where /proc has it) server CPU. */
function transportTarget(transport: string, samples: Record<VariantName, Samples>): Target {
  const same = samples["ours, synchronous=NORMAL (as bare)"];
  const wall = pairedRatio(same.wallMs, samples[BASELINE].wallMs);
  const cpu = pairedRatio(same.cpuMs, samples[BASELINE].cpuMs);
  return {
    name: `${transport}: ours ≤ ${TARGET}× bare SDK with SqliteSaver, both synchronous=NORMAL`,
    met: wall <= TARGET && (!Number.isFinite(cpu) || cpu <= TARGET),
    detail: `wall ${times(wall)}, server CPU ${times(cpu)}; the default FULL costs the difference to the "ours" row`,
  };
}

/** Per variant: medians per call and the same-round ratios to the baseline. */
function variantRows(samples: Record<VariantName, Samples>) {
  const base = samples[BASELINE];
  return (Object.keys(samples) as VariantName[]).map((name) => ({
    server: name,
    wallMs: median(samples[name].wallMs),
    serverCpuMs: median(samples[name].cpuMs),
    clientCpuMs: median(samples[name].clientCpuMs),
    wallRatio: pairedRatio(samples[name].wallMs, base.wallMs),
    serverCpuRatio: pairedRatio(samples[name].cpuMs, base.cpuMs),
    calls: samples[name].wallMs.length,
  }));
}

async function measureTransport(
  transport: string,
  serve: (variant: Variant) => Promise<Served>,
  budgetMs: number,
): Promise<Record<VariantName, Samples>> {
  const names = Object.keys(VARIANTS) as VariantName[];
  progress(`${transport}: starting ${names.length} servers`);
  const list = await Promise.all(names.map((name) => serve(VARIANTS[name])));
  progress(`${transport}: interleaving calls for ${budgetMs / 1000} s`);
  const served = Object.fromEntries(names.map((name, index) => [name, list[index]])) as Record<
    VariantName,
    Served
  >;
  try {
    return await interleaveCalls(served, { warmup: 20, minRounds: 30, budgetMs });
  } finally {
    await Promise.allSettled(list.map((entry) => entry.close()));
  }
}

/** The section as `latest.json` keeps it (`mcpLatency`). */
export interface McpLatencyResults {
  readonly generatedAt: string;
  readonly environment: {
    readonly node: string;
    readonly cpus: number;
    readonly loadAverage1mBefore: number | undefined;
    readonly loadAverage1mAfter: number | undefined;
  };
  readonly stdio: ReturnType<typeof variantRows>;
  readonly http: ReturnType<typeof variantRows>;
  readonly targets: readonly Target[];
  readonly markdown: string;
}

/**
 * Runs the comparison (about 40 s) and returns it with a markdown table: per
 * call, medians of client wall time and server and client CPU, and the median
 * of same-round ratios to the bare SDK with SqliteSaver.
 */
export async function mcpLatency(options: { budgetMs?: number } = {}): Promise<McpLatencyResults> {
  const budgetMs = options.budgetMs ?? 9_000;
  const loadBefore = loadavg()[0];
  const stdio = await measureTransport("stdio", serveStdio, budgetMs);
  const http = await measureTransport("Streamable HTTP", serveHttp, budgetMs);
  const loadAfter = loadavg()[0];
  const targets = [transportTarget("stdio", stdio), transportTarget("Streamable HTTP", http)];
  const rows = { stdio: variantRows(stdio), http: variantRows(http) };
  const markdown = [
    `## MCP tools/call of a one-step workflow: ours vs the bare SDK (${process.version}, ${cpus().length} CPUs, load ${loadBefore?.toFixed(1)} → ${loadAfter?.toFixed(1)})`,
    "",
    "Each server a child process; calls interleaved round by round. Medians per call; ratios are",
    "medians of same-round pairs against the bare SDK with SqliteSaver. Server CPU from /proc.",
    "",
    "| transport | server | wall ms | server CPU ms | client CPU ms | wall ratio | server CPU ratio | calls |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...tableRows("stdio", rows.stdio),
    ...tableRows("HTTP", rows.http),
    "",
    targetLines(targets),
  ].join("\n");
  return {
    generatedAt: new Date().toISOString(),
    environment: {
      node: process.version,
      cpus: cpus().length,
      loadAverage1mBefore: loadBefore,
      loadAverage1mAfter: loadAfter,
    },
    ...rows,
    targets,
    markdown,
  };
}
