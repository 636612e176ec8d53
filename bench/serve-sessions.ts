/**
 * 20 concurrent MCP sessions calling a workflow on `signalbox serve` (issue 12): real
 * MCP SDK clients over Streamable HTTP against the built CLI in a child process. Each
 * round times calls made one at a time (one session) and then one call from each of
 * the 20 sessions at once; the target compares the concurrent p95 with the single-call
 * median of the same run.
 *
 * Run: BENCH_ONLY=serve-sessions npm run bench   (after `npm run build`)
 */

import { cpus, loadavg } from "node:os";
import { pathToFileURL } from "node:url";
import { processCpuMs } from "./proc-cpu.ts";
import { type Target, targetLines } from "./report.ts";
import {
  callTool,
  connect,
  type ServedProcess,
  startServe,
  TRIAGE_INPUT,
} from "./serve-process.ts";

const SESSIONS = 20;
const ROUNDS = Number(process.env.BENCH_SESSION_ROUNDS ?? 5);
const SINGLE_PER_ROUND = 4;
const P95_TARGET = 2;
const TOOL = "support_triage";

export interface SessionLatency {
  readonly tool: string;
  readonly sessions: number;
  readonly rounds: number;
  readonly singleMs: { readonly p50: number; readonly p95: number; readonly samples: number };
  readonly concurrentMs: { readonly p50: number; readonly p95: number; readonly samples: number };
  /** The server's CPU time per call (all calls, /proc). */
  readonly serverCpuMsPerCall: number;
  /** Concurrent p95 / single-call p50. */
  readonly p95Ratio: number;
}

export interface ServeSessionsResults {
  readonly generatedAt: string;
  readonly results: SessionLatency;
  readonly targets: readonly Target[];
  readonly markdown: string;
}

const progress = (message: string) => process.stderr.write(`bench serve-sessions: ${message}\n`);

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}

async function timedCall(client: Awaited<ReturnType<typeof connect>>["client"]) {
  const started = performance.now();
  await callTool(client, TOOL, TRIAGE_INPUT);
  return performance.now() - started;
}

async function measure(served: ServedProcess): Promise<SessionLatency> {
  const sessions = await Promise.all(Array.from({ length: SESSIONS }, () => connect(served.url)));
  try {
    const [first] = sessions;
    if (first === undefined) throw new Error("no session");
    // Warm-up: each session once, one at a time (first calls build graphs, JIT).
    for (const session of sessions) await timedCall(session.client);
    const cpuBefore = processCpuMs(served.pid);
    const single: number[] = [];
    const concurrent: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      progress(`round ${round + 1} of ${ROUNDS}`);
      for (let call = 0; call < SINGLE_PER_ROUND; call += 1)
        single.push(await timedCall(first.client));
      concurrent.push(...(await Promise.all(sessions.map((session) => timedCall(session.client)))));
    }
    const serverCpuMsPerCall =
      (processCpuMs(served.pid) - cpuBefore) / (single.length + concurrent.length);
    const singleMs = {
      p50: percentile(single, 0.5),
      p95: percentile(single, 0.95),
      samples: single.length,
    };
    const concurrentMs = {
      p50: percentile(concurrent, 0.5),
      p95: percentile(concurrent, 0.95),
      samples: concurrent.length,
    };
    return {
      tool: TOOL,
      sessions: SESSIONS,
      rounds: ROUNDS,
      singleMs,
      concurrentMs,
      serverCpuMsPerCall,
      p95Ratio: concurrentMs.p95 / singleMs.p50,
    };
  } finally {
    await Promise.all(sessions.map((session) => session.close()));
  }
}

/** Runs the section: about a minute on 2 cores. */
export async function serveSessions(
  environment: NodeJS.ProcessEnv = {},
): Promise<ServeSessionsResults> {
  progress("starting signalbox serve (built)");
  const loadBefore = loadavg()[0] ?? 0;
  const served = await startServe(environment);
  let results: SessionLatency;
  try {
    results = await measure(served);
  } finally {
    await served.stop();
  }
  const fixed = (value: number) => value.toFixed(1);
  const targets: Target[] = [
    {
      name: `serve: ${SESSIONS} concurrent MCP sessions, p95 ≤ ${P95_TARGET}× the single-call latency`,
      met: results.p95Ratio <= P95_TARGET,
      detail: `p95 ${fixed(results.concurrentMs.p95)} ms vs single-call p50 ${fixed(results.singleMs.p50)} ms (${results.p95Ratio.toFixed(2)}×)`,
    },
  ];
  const markdown = [
    `## ${SESSIONS} concurrent MCP sessions on \`signalbox serve\` (${TOOL})`,
    "",
    `Real MCP SDK clients over Streamable HTTP against the built CLI in a child process; ${ROUNDS} rounds,`,
    `each ${SINGLE_PER_ROUND} calls one at a time, then one call from each of the ${SESSIONS} sessions at once.`,
    "",
    "| calls | samples | p50 ms | p95 ms |",
    "| --- | ---: | ---: | ---: |",
    `| one at a time | ${results.singleMs.samples} | ${fixed(results.singleMs.p50)} | ${fixed(results.singleMs.p95)} |`,
    `| ${SESSIONS} at once | ${results.concurrentMs.samples} | ${fixed(results.concurrentMs.p50)} | ${fixed(results.concurrentMs.p95)} |`,
    "",
    `Server CPU per call: ${fixed(results.serverCpuMsPerCall)} ms (/proc, all timed calls); ${SESSIONS} calls on its one`,
    `event loop need ${fixed(results.serverCpuMsPerCall * SESSIONS)} ms of CPU, the floor for the last of them to finish.`,
    `Load average (1 min) ${loadBefore.toFixed(1)} → ${(loadavg()[0] ?? 0).toFixed(1)} on ${cpus().length} CPUs.`,
    "",
    targetLines(targets),
  ].join("\n");
  return { generatedAt: new Date().toISOString(), results, targets, markdown };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href)
  console.log((await serveSessions()).markdown);
