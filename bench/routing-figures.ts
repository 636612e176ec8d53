/**
 * Every routing figure the README gives, from one command (issue 15): the
 * offline classifier on Banking77 (accuracy, thresholds, calibration, training
 * time, latency), the out-of-scope benchmark, the Banking77 and banking77-oos
 * eval suites' headlines (the route as workflows run it), and the cascade with
 * an LLM tier on recorded replies. The README pastes this output as it is.
 *
 * Run: npm run routing-figures   (about 5 minutes on 2 idle cores)
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { headline } from "../src/eval/format.ts";
import { loadEvalSuite } from "../src/eval/load-suite.ts";
import { runEval } from "../src/eval/run-eval.ts";
import { SqliteRunStore } from "../src/store/sqlite-store.ts";
import { banking77Directory as dataDirectory, repositoryRoot } from "./banking77-data.ts";
import { classifierBanking77 } from "./classifier-banking77.ts";
import { classifierOutOfScope } from "./classifier-oos.ts";
import { cascadeTable, measureCascade } from "./routing-cascade.ts";

const CASCADE_CASES = 770;

async function suiteHeadline(name: string, home: string): Promise<void> {
  const suite = await loadEvalSuite(name, {
    cwd: repositoryRoot,
    environment: { SIGNALBOX_BANKING77_DIR: dataDirectory },
  });
  const store = new SqliteRunStore(join(home, `${name}.db`));
  const started = performance.now();
  const result = await runEval({ suite, store }).finally(() => store.close());
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  for (const config of result.configs) {
    const { passed, cases } = config.summary;
    console.log(`signalbox eval ${name} (${config.name}, ${cases} cases, ${seconds} s wall):`);
    for (const node of config.summary.nodes) console.log(`  ${headline(node)}`);
    console.log(`  cases meeting every expectation (an escalation fails one): ${passed}/${cases}`);
  }
}

async function main(): Promise<void> {
  console.log("## Offline classifier (bench/classifier-banking77.ts)\n");
  classifierBanking77();
  console.log("\n## Out-of-scope benchmark (bench/classifier-oos.ts)\n");
  classifierOutOfScope();
  console.log("\n## The route in a workflow (eval suites, offline, every test case)\n");
  const home = mkdtempSync(join(tmpdir(), "signalbox-routing-figures-"));
  try {
    await suiteHeadline("banking77", home);
    await suiteHeadline("banking77-oos", home);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  console.log(`\n## Cascade with an LLM tier (bench/routing-cascade.ts, ${CASCADE_CASES} cases)\n`);
  const cascade = await measureCascade({ dataDirectory, limit: CASCADE_CASES });
  console.log(
    `LLM: the local OpenAI-compatible test server, replies recorded then replayed (${cascade.replayMisses} replay misses); the stand-in answers the true intent, so LLM-only accuracy is an upper bound`,
  );
  console.log(cascadeTable(cascade));
}

await main();
