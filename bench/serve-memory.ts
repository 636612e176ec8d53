/**
 * `signalbox serve` memory (issue 12): the resident set size of the built CLI's
 * `serve` (a child process, fresh home, the shipped workflows) right after it
 * listens and after one workflow call, against the bare MCP SDK Streamable HTTP
 * server with a one-node LangGraph graph on SqliteSaver (bench/mcp-server-bare-http.ts)
 * at the same moments. Rounds interleave the two; medians are reported.
 *
 * Run: BENCH_ONLY=serve-memory npm run bench   (after `npm run build`)
 */

import { cpus, loadavg } from "node:os";
import { pathToFileURL } from "node:url";
import { type Target, targetLines } from "./report.ts";
import {
  callTool,
  connect,
  rssBytes,
  type ServedProcess,
  startBare,
  startServe,
  TRIAGE_INPUT,
} from "./serve-process.ts";

const ROUNDS = Number(process.env.BENCH_MEMORY_ROUNDS ?? 3);
const RSS_TARGET = 1.5;
/** Lets start-up work scheduled after `listen` (timers, lazy loads) land before reading. */
const SETTLE_MS = 1500;

interface Sample {
  readonly startMb: number;
  readonly afterCallMb: number;
}

export interface ServeMemoryResults {
  readonly generatedAt: string;
  readonly rounds: number;
  readonly ours: Sample;
  readonly bare: Sample;
  readonly ratios: Sample;
  readonly targets: readonly Target[];
  readonly markdown: string;
}

const progress = (message: string) => process.stderr.write(`bench serve-memory: ${message}\n`);
const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
const megabytes = (bytes: number) => bytes / 1024 / 1024;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

async function sample(
  start: () => Promise<ServedProcess>,
  call: (client: Awaited<ReturnType<typeof connect>>["client"]) => Promise<unknown>,
): Promise<Sample> {
  const served = await start();
  try {
    await settle();
    const startMb = megabytes(rssBytes(served.pid));
    const session = await connect(served.url);
    await call(session.client);
    await session.close();
    await settle();
    return { startMb, afterCallMb: megabytes(rssBytes(served.pid)) };
  } finally {
    await served.stop();
  }
}

/** Runs the section: a few seconds per round. */
export async function serveMemory(): Promise<ServeMemoryResults> {
  const ours: Sample[] = [];
  const bare: Sample[] = [];
  const loadBefore = loadavg()[0] ?? 0;
  for (let round = 0; round < ROUNDS; round += 1) {
    progress(`round ${round + 1} of ${ROUNDS}`);
    const takeOurs = () =>
      sample(startServe, (client) => callTool(client, "support_triage", TRIAGE_INPUT));
    const takeBare = () => sample(startBare, (client) => callTool(client, "echo", { text: "x" }));
    if (round % 2 === 0) {
      ours.push(await takeOurs());
      bare.push(await takeBare());
    } else {
      bare.push(await takeBare());
      ours.push(await takeOurs());
    }
  }
  const of = (samples: Sample[]): Sample => ({
    startMb: median(samples.map((entry) => entry.startMb)),
    afterCallMb: median(samples.map((entry) => entry.afterCallMb)),
  });
  const oursMedian = of(ours);
  const bareMedian = of(bare);
  const ratios = {
    startMb: oursMedian.startMb / bareMedian.startMb,
    afterCallMb: oursMedian.afterCallMb / bareMedian.afterCallMb,
  };
  const targets: Target[] = [
    {
      name: `serve: RSS ≤ ${RSS_TARGET}× the bare MCP SDK HTTP server, right after start`,
      met: ratios.startMb <= RSS_TARGET,
      detail: `${oursMedian.startMb.toFixed(1)} vs ${bareMedian.startMb.toFixed(1)} MB (${ratios.startMb.toFixed(2)}×)`,
    },
    {
      name: `serve: RSS ≤ ${RSS_TARGET}× the bare MCP SDK HTTP server, after one call`,
      met: ratios.afterCallMb <= RSS_TARGET,
      detail: `${oursMedian.afterCallMb.toFixed(1)} vs ${bareMedian.afterCallMb.toFixed(1)} MB (${ratios.afterCallMb.toFixed(2)}×)`,
    },
  ];
  const fixed = (value: number) => value.toFixed(1);
  const markdown = [
    "## `signalbox serve` memory (RSS) vs the bare MCP SDK HTTP server",
    "",
    `Medians of ${ROUNDS} interleaved rounds, each a fresh child process read from /proc ${SETTLE_MS / 1000} s after`,
    "it listens, then after one call in one session. Ours: the built CLI, the shipped workflows,",
    "one support_triage call. Bare: McpServer + Streamable HTTP + a one-node LangGraph graph on",
    "SqliteSaver, one call.",
    `Load average (1 min) ${loadBefore.toFixed(1)} → ${(loadavg()[0] ?? 0).toFixed(1)} on ${cpus().length} CPUs.`,
    "",
    "| moment | ours MB | bare MB | ours/bare |",
    "| --- | ---: | ---: | ---: |",
    `| after start | ${fixed(oursMedian.startMb)} | ${fixed(bareMedian.startMb)} | ${ratios.startMb.toFixed(2)}× |`,
    `| after one call | ${fixed(oursMedian.afterCallMb)} | ${fixed(bareMedian.afterCallMb)} | ${ratios.afterCallMb.toFixed(2)}× |`,
    "",
    targetLines(targets),
  ].join("\n");
  return {
    generatedAt: new Date().toISOString(),
    rounds: ROUNDS,
    ours: oursMedian,
    bare: bareMedian,
    ratios,
    targets,
    markdown,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href)
  console.log((await serveMemory()).markdown);
