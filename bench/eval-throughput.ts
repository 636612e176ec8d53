/**
 * Eval throughput, offline: cases per second of the shipped suites through the
 * full path `signalbox eval --runs` takes (a dry-run through the Runtime over a
 * SQLite run store per case, decisions and planned effects stored, expectations
 * checked), one case at a time and 8 in flight. (Without `--runs` a classification
 * suite is scored by its route alone: bench/eval-overhead.ts measures both.) Setup (loading the data,
 * training the classifier) is timed apart.
 *
 * Run: npx tsx bench/eval-throughput.ts   (or call evalThroughput() from bench/run.ts)
 * Banking77 data: $SIGNALBOX_BANKING77_DIR, else ../shared/datasets/banking77; skipped when absent.
 */

import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { loadEvalSuite } from "../src/eval/load-suite.ts";
import { EVAL_SQLITE_SYNCHRONOUS, prepareRoutes, runEval } from "../src/eval/run-eval.ts";
import { SqliteRunStore } from "../src/store/sqlite-store.ts";
import { banking77Directory } from "./banking77-data.ts";

const repository = fileURLToPath(new URL("../", import.meta.url));

interface Measurement {
  readonly suite: string;
  readonly cases: number;
  readonly concurrency: number;
  readonly setupSeconds: number;
  readonly casesPerSecond: number;
  readonly cpuMsPerCase: number;
  readonly storeKbPerCase: number;
}

async function measure(name: string, concurrency: number, limit?: number): Promise<Measurement> {
  const home = mkdtempSync(join(tmpdir(), "signalbox-bench-eval-"));
  const store = new SqliteRunStore(join(home, "signalbox.db"), {
    synchronous: EVAL_SQLITE_SYNCHRONOUS,
  });
  try {
    const suite = await loadEvalSuite(name, {
      cwd: repository,
      environment: { SIGNALBOX_BANKING77_DIR: banking77Directory },
    });
    const setupStarted = performance.now();
    const config = suite.models[0] ?? { name: "offline", model: "offline" };
    // Builds (and caches) the workflow, its graph and its routes' classifiers, so runEval
    // below times cases only.
    const workflow = await suite.createWorkflow(config);
    workflow.graph(store.checkpointer, { inputInStore: true });
    prepareRoutes(workflow);
    const setupSeconds = (performance.now() - setupStarted) / 1000;
    const cpu = process.cpuUsage();
    const models = [config.name];
    const result = await runEval({ suite, store, concurrency, limit, models, runs: true });
    const used = process.cpuUsage(cpu);
    const summary = result.configs[0]?.summary;
    const cases = summary?.cases ?? 0;
    return {
      suite: name,
      cases,
      concurrency,
      setupSeconds,
      casesPerSecond: summary?.casesPerSecond ?? 0,
      cpuMsPerCase: (used.user + used.system) / 1000 / Math.max(1, cases),
      storeKbPerCase: statSync(join(home, "signalbox.db")).size / 1024 / Math.max(1, cases),
    };
  } finally {
    await store.close();
    rmSync(home, { recursive: true, force: true });
  }
}

function row(entry: Measurement): string {
  return `| ${entry.suite} | ${entry.cases.toLocaleString("en")} | ${entry.concurrency} | ${entry.setupSeconds.toFixed(1)} | ${entry.casesPerSecond.toFixed(0)} | ${entry.cpuMsPerCase.toFixed(1)} | ${entry.storeKbPerCase.toFixed(0)} |`;
}

/**
 * Measures offline eval throughput of the shipped suites (about a minute with
 * Banking77 on 2 cores) and returns a markdown table.
 */
export async function evalThroughput(options: { banking77Limit?: number } = {}): Promise<string> {
  const rows: Measurement[] = [];
  for (const concurrency of [1, 8]) rows.push(await measure("support-triage", concurrency));
  const banking77 = existsSync(join(banking77Directory, "test.csv"));
  if (banking77)
    for (const concurrency of [1, 8])
      rows.push(await measure("banking77", concurrency, options.banking77Limit ?? 1000));
  return [
    "## Eval throughput, offline (`signalbox eval`)",
    "",
    "Each case is a dry-run through the Runtime with a SQLite run store (checkpoints, decisions,",
    "planned effects), then checked against its expectation. Setup: loading the data and training",
    "the classifier, once per run.",
    "",
    "| suite | cases | in flight | setup s | cases/s | CPU ms per case | store KB per case |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rows.map(row),
    ...(banking77 ? [] : ["", `Banking77 skipped: no data at ${banking77Directory}.`]),
  ].join("\n");
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href)
  console.log(await evalThroughput());
