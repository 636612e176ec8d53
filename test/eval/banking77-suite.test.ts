import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import {
  banking77Missing,
  banking77Directory as dataDirectory,
  repositoryRoot as repository,
} from "../../bench/banking77-data.ts";
import { compareWithBaseline, readBaseline } from "../../src/eval/baseline.ts";
import { headline, percent } from "../../src/eval/format.ts";
import { loadEvalSuite } from "../../src/eval/load-suite.ts";
import { runEval } from "../../src/eval/run-eval.ts";
import { SqliteRunStore } from "../../src/store/sqlite-store.ts";
import { describeRequired } from "../support/required.ts";
import { tempHome } from "../support/runtime.ts";

// 770 of the 3,080 test cases (10 per intent on average), spread evenly: about 15 s on 2 cores.
// The full run (about a minute) is in docs/evals.md; the baseline holds its per-case results.
const LIMIT = 770;

const { home, cleanup } = tempHome("signalbox-eval-banking77-");
afterAll(() => cleanup());

describeRequired(`the banking77 suite, offline, ${LIMIT} cases`, banking77Missing(), () => {
  it("matches the committed baseline on every case it runs", async () => {
    const suite = await loadEvalSuite("banking77", {
      cwd: repository,
      environment: { SIGNALBOX_BANKING77_DIR: dataDirectory },
    });
    const store = new SqliteRunStore(join(home, "signalbox.db"));
    const result = await runEval({ suite, store, limit: LIMIT }).finally(() => store.close());
    const baseline = await readBaseline(suite.baseline ?? "");
    expect(baseline, "evals/baselines/banking77.json is missing").toBeDefined();
    const [config] = result.configs;
    if (baseline === undefined || config === undefined) return;
    const comparison = compareWithBaseline(baseline, config, suite.tolerance);
    expect(comparison.newFailures, "cases that passed before and fail now").toEqual([]);
    expect(comparison.fixed, "expected failures that pass now: update the baseline").toEqual([]);
    const node = config.summary.nodes[0];
    expect(node?.selectiveAccuracy).toBeGreaterThan(0.95);
    expect(node?.coverage).toBeGreaterThan(0.75);
    expect(node?.topAccuracy).toBeGreaterThan(0.885); // measured 89.2% on these 770 cases
    if (node === undefined) return;
    // The headline names each figure (issue 15: "passed 2490/3080" read as accuracy).
    expect(headline(node)).toBe(
      `route classify: top-1 accuracy ${percent(node.topAccuracy)} (best pick, never escalating) · at its threshold it decides ${percent(node.coverage)} of ${LIMIT} cases and is right on ${percent(node.selectiveAccuracy)} of those`,
    );
    // The chart's curve passes through the route's operating point (threshold 0.8; repeated
    // points keep the highest threshold, so 0.8's point is the last one at or above it).
    const point = node.curve.filter((entry) => entry.threshold >= 0.8).at(-1);
    expect(point).toMatchObject({ coverage: node.coverage, accuracy: node.selectiveAccuracy });
  }, 600_000);
});
