/**
 * Eval overhead per case (issue 12): the time a case spends outside its decider when
 * `signalbox eval` runs a classification suite (Banking77), against the decider's own
 * time in the same cases (each route decision records how long its decider took).
 * Two paths: the default one (the route's decision alone, nothing stored) and `--runs`
 * (a dry-run per case through the Runtime over a SQLite run store, decisions stored).
 * Both check each expectation. Also support-triage cases/s (always full dry-runs), to
 * follow the eval throughput of a multi-node workflow.
 *
 * Run: BENCH_ONLY=eval npm run bench   (or npx tsx bench/eval-overhead.ts)
 * Banking77 data: $SIGNALBOX_BANKING77_DIR, else ../shared/datasets/banking77; skipped when absent.
 * BENCH_EVAL_CASES: Banking77 cases to run (default 1,000; the test set has 3,080).
 */

import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { loadEvalSuite } from "../src/eval/load-suite.ts";
import { EVAL_SQLITE_SYNCHRONOUS, runEval } from "../src/eval/run-eval.ts";
import { SqliteRunStore } from "../src/store/sqlite-store.ts";
import { type Target, targetLines } from "./report.ts";

const repository = fileURLToPath(new URL("../", import.meta.url));
const banking77Directory =
  process.env.SIGNALBOX_BANKING77_DIR ?? resolve(repository, "../shared/datasets/banking77");
/** Issue 12: per-case overhead outside the decider for classification suites. */
const OVERHEAD_TARGET_MS = 0.5;

export interface EvalCaseCost {
  readonly suite: string;
  readonly cases: number;
  readonly concurrency: number;
  /** Wall time of the whole eval (after setup) divided by its cases. */
  readonly wallMsPerCase: number;
  readonly cpuMsPerCase: number;
  /** The deciders' own time per case (sum of the route decisions' latencies / cases). */
  readonly deciderMsPerCase: number;
  /** wallMsPerCase − deciderMsPerCase. */
  readonly overheadMsPerCase: number;
  /** cpuMsPerCase − deciderMsPerCase: what the target is judged on (the machine is shared). */
  readonly cpuOverheadMsPerCase: number;
  readonly casesPerSecond: number;
  readonly passed: number;
}

export interface EvalOverheadResults {
  readonly generatedAt: string;
  readonly rows: readonly EvalCaseCost[];
  readonly targets: readonly Target[];
  readonly markdown: string;
}

const progress = (message: string) => process.stderr.write(`bench eval: ${message}\n`);

interface MeasureOptions {
  readonly concurrency: number;
  readonly limit?: number;
  /** A dry-run per case even for a classification suite (`signalbox eval --runs`). */
  readonly runs?: boolean;
}

async function measure(name: string, options: MeasureOptions): Promise<EvalCaseCost> {
  const { concurrency, limit, runs } = options;
  const home = mkdtempSync(join(tmpdir(), "signalbox-bench-eval-"));
  // As `signalbox eval` opens it (unless SIGNALBOX_SQLITE_SYNCHRONOUS says otherwise).
  const store = new SqliteRunStore(join(home, "signalbox.db"), {
    synchronous: EVAL_SQLITE_SYNCHRONOUS,
  });
  try {
    const suite = await loadEvalSuite(name, {
      cwd: repository,
      environment: { SIGNALBOX_BANKING77_DIR: banking77Directory },
    });
    const config = suite.models[0] ?? { name: "offline", model: "offline" };
    // Cases start at the first progress report (after setup: loading, training the classifier).
    let cpu: NodeJS.CpuUsage | undefined;
    const onProgress = (at: { done: number }) => {
      if (at.done === 0 && cpu === undefined) cpu = process.cpuUsage();
    };
    const result = await runEval({
      suite,
      store,
      concurrency,
      limit,
      models: [config.name],
      runs,
      onProgress,
    });
    const used = process.cpuUsage(cpu);
    const configResult = result.configs[0];
    if (configResult === undefined) throw new Error(`suite ${name} ran no configuration`);
    const cases = configResult.cases.length;
    // runEval times its cases only (setup, e.g. training the classifier, comes before).
    const wallMsPerCase = 1000 / configResult.summary.casesPerSecond;
    let deciderMs = 0;
    for (const entry of configResult.cases)
      for (const route of Object.values(entry.outcome.routes)) deciderMs += route.latencyMs ?? 0;
    const deciderMsPerCase = deciderMs / Math.max(1, cases);
    return {
      suite: runs ? `${name} --runs` : name,
      cases,
      concurrency,
      wallMsPerCase,
      cpuMsPerCase: (used.user + used.system) / 1000 / Math.max(1, cases),
      deciderMsPerCase,
      overheadMsPerCase: wallMsPerCase - deciderMsPerCase,
      cpuOverheadMsPerCase:
        (used.user + used.system) / 1000 / Math.max(1, cases) - deciderMsPerCase,
      casesPerSecond: configResult.summary.casesPerSecond,
      passed: configResult.cases.filter((entry) => entry.passed).length,
    };
  } finally {
    await store.close();
    rmSync(home, { recursive: true, force: true });
  }
}

const row = (entry: EvalCaseCost) =>
  `| ${entry.suite} | ${entry.cases.toLocaleString("en")} | ${entry.concurrency} | ${entry.casesPerSecond.toFixed(0)} | ${entry.wallMsPerCase.toFixed(3)} | ${entry.cpuMsPerCase.toFixed(3)} | ${(entry.deciderMsPerCase * 1000).toFixed(0)} | ${entry.overheadMsPerCase.toFixed(3)} | **${entry.cpuOverheadMsPerCase.toFixed(3)}** | ${(entry.cpuMsPerCase / Math.max(entry.deciderMsPerCase, 1e-6)).toFixed(1)}× |`;

/** Runs the eval-overhead section (about a minute on 2 cores with Banking77 present). */
export async function evalOverhead(): Promise<EvalOverheadResults> {
  const rows: EvalCaseCost[] = [];
  const loadBefore = loadavg()[0] ?? 0;
  const banking77 = existsSync(join(banking77Directory, "test.csv"));
  const limit = Number(process.env.BENCH_EVAL_CASES ?? 1000);
  if (banking77)
    for (const runs of [false, true])
      for (const concurrency of [1, 8]) {
        progress(`banking77${runs ? " --runs" : ""}, ${limit} cases, ${concurrency} in flight`);
        rows.push(await measure("banking77", { concurrency, limit, runs }));
      }
  for (const concurrency of [1, 8]) {
    progress(`support-triage, ${concurrency} in flight`);
    rows.push(await measure("support-triage", { concurrency }));
  }
  const targets: Target[] = rows
    .filter((entry) => entry.suite === "banking77" && entry.concurrency === 1)
    .map((entry) => ({
      name: `eval: per-case overhead outside the decider ≤ ${OVERHEAD_TARGET_MS} ms (Banking77, one case at a time)`,
      met: entry.cpuOverheadMsPerCase <= OVERHEAD_TARGET_MS,
      detail: `${entry.cpuOverheadMsPerCase.toFixed(3)} ms CPU per case outside a ${(entry.deciderMsPerCase * 1000).toFixed(0)} µs decider (${entry.cpuMsPerCase.toFixed(3)} ms CPU, ${entry.wallMsPerCase.toFixed(3)} ms wall per case in all)`,
    }));
  const markdown = [
    "## Eval overhead per case (`signalbox eval`, offline)",
    "",
    "Banking77 by default: each case scored by the route's decision alone (input checked,",
    "rules, classifier, threshold; nothing stored). `--runs` and support-triage: each case a",
    "dry-run through the Runtime on a SQLite run store (trigger `eval`), its decisions stored.",
    "Every case's expectation is checked. Decider: the route decisions' own latency in those",
    "same cases. Overhead = time per case − decider per case, on wall and on CPU (the machine",
    "is shared, so the target is judged on CPU); ratio = CPU per case / decider.",
    `Load average (1 min) ${loadBefore.toFixed(1)} → ${(loadavg()[0] ?? 0).toFixed(1)} on ${cpus().length} CPUs.`,
    "",
    "| suite | cases | in flight | cases/s | wall ms per case | CPU ms per case | decider µs per case | overhead ms, wall | overhead ms, CPU | CPU / decider |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rows.map(row),
    ...(banking77 ? [] : ["", `Banking77 skipped: no data at ${banking77Directory}.`]),
    "",
    targetLines(targets),
  ].join("\n");
  return { generatedAt: new Date().toISOString(), rows, targets, markdown };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href)
  console.log((await evalOverhead()).markdown);
