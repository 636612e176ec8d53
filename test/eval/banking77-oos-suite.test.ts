import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import {
  banking77Missing,
  banking77Directory as dataDirectory,
  repositoryRoot as repository,
} from "../../bench/banking77-data.ts";
import { loadEvalSuite } from "../../src/eval/load-suite.ts";
import { OUT_OF_SCOPE_TAG } from "../../src/eval/metrics.ts";
import { runEval } from "../../src/eval/run-eval.ts";
import { SqliteRunStore } from "../../src/store/sqlite-store.ts";
import { describeRequired } from "../support/required.ts";
import { tempHome } from "../support/runtime.ts";

// 770 of the 3,080 test cases, spread evenly (100 of them out of scope); the full run is
// `signalbox eval banking77-oos` (README, "Routing figures").
const LIMIT = 770;
// Measured on these 770 cases (deterministic training): recall 67.0%, in-scope accuracy 81.6%,
// precision 40.6%. The floors sit just under them, so a change that loses ground fails.
const RECALL_FLOOR = 0.66;
const IN_SCOPE_FLOOR = 0.81;
const PRECISION_FLOOR = 0.4;

const { home, cleanup } = tempHome("signalbox-eval-banking77-oos-");
afterAll(() => cleanup());

describeRequired(
  `the banking77-oos suite (10 intents held out), offline, ${LIMIT} cases`,
  banking77Missing(),
  () => {
    it("holds out the documented intents and scores their cases as must-escalate", async () => {
      const suite = await loadEvalSuite("banking77-oos", {
        cwd: repository,
        environment: { SIGNALBOX_BANKING77_DIR: dataDirectory },
      });
      // The documented rule: every eighth label of categories.json, starting with the first.
      const categories: string[] = JSON.parse(
        readFileSync(join(dataDirectory, "categories.json"), "utf8"),
      );
      const heldOut = categories.filter((_, index) => index % 8 === 0);
      expect(heldOut).toHaveLength(10);
      const cases = await suite.loadCases();
      const outside = cases.filter((item) => item.tags.includes(OUT_OF_SCOPE_TAG));
      expect(new Set(outside.map((item) => item.tags[0]))).toEqual(new Set(heldOut));
      expect(outside).toHaveLength(400);
      expect(new Set(outside.map((item) => item.expect.routes?.classify))).toEqual(
        new Set(["escalate"]),
      );

      const store = new SqliteRunStore(join(home, "signalbox.db"));
      const result = await runEval({ suite, store, limit: LIMIT }).finally(() => store.close());
      const node = result.configs[0]?.summary.nodes[0];
      const figures = node?.outOfScope;
      expect(figures?.outOfScopeCases).toBe(100);
      expect(figures?.inScopeCases).toBe(670);
      // Measured figures (issue 15's targets, recall >= 85% at in-scope accuracy >= 88%,
      // are NOT met by the lexical tier: see docs/decisions/2026-11-30-offline-classifier.md).
      expect(figures?.recall).toBeGreaterThanOrEqual(RECALL_FLOOR);
      expect(figures?.inScopeAccuracy).toBeGreaterThanOrEqual(IN_SCOPE_FLOOR);
      expect(figures?.precision).toBeGreaterThanOrEqual(PRECISION_FLOOR);
      // The curve trades one for the other: recall never falls and in-scope accuracy never
      // rises as the threshold goes up.
      const curve = figures?.curve ?? [];
      expect(curve.length).toBeGreaterThan(10);
      for (const [index, point] of curve.entries()) {
        const before = curve[index - 1];
        if (before === undefined) continue;
        expect(point.recall ?? 0).toBeGreaterThanOrEqual(before.recall ?? 0);
        expect(point.inScopeAccuracy ?? 0).toBeLessThanOrEqual(before.inScopeAccuracy ?? 0);
      }
    }, 600_000);
  },
);
