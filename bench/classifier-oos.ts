/**
 * Out-of-scope benchmark on Banking77: ten intents are held out (every eighth
 * label of categories.json, starting with the first: `holdOutLabels` of
 * evals/banking77-oos.json, the same list the eval suite uses),
 * the classifier is trained on the other 67, and the held-out intents' test
 * cases must escalate. Prints, per confidence threshold, in-scope accuracy
 * (right branch and not escalated), out-of-scope recall (held-out cases
 * escalated) and precision (escalated cases that were held out), for several
 * out-of-scope scores.
 *
 * Run: npx tsx bench/classifier-oos.ts
 * Data directory: $SIGNALBOX_BANKING77_DIR, else ../shared/datasets/banking77.
 */

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { outOfScopeCurve } from "../src/eval/threshold-sweep.ts";
import {
  type ClassifierPrediction,
  createLexicalClassifier,
  DEFAULT_CLASSIFIER_THRESHOLD,
} from "../src/models/lexical-classifier.ts";
import { readBanking77Examples, repositoryRoot } from "./banking77-data.ts";

const HELD_OUT_INTENTS: readonly string[] = JSON.parse(
  readFileSync(resolve(repositoryRoot, "evals/banking77-oos.json"), "utf8"),
).holdOutLabels;

const percent = (value: number | null) => (value === null ? "—" : `${(value * 100).toFixed(1)}%`);

/** Prints this benchmark's figures. */
export function classifierOutOfScope(): void {
  const held = new Set<string>(HELD_OUT_INTENTS);
  const train = readBanking77Examples("train.csv").filter((example) => !held.has(example.label));
  const tests = readBanking77Examples("test.csv");
  const classifier = createLexicalClassifier(
    train,
    JSON.parse(process.env.SIGNALBOX_CLASSIFIER_OPTIONS ?? "{}"),
  );
  const predictions: ClassifierPrediction[] = tests.map((example) =>
    classifier.predict(example.text),
  );
  const outOfScope = tests.filter((example) => held.has(example.label)).length;
  console.log(
    `Banking77 out-of-scope: ${HELD_OUT_INTENTS.length} intents held out (${HELD_OUT_INTENTS.join(", ")}); ${train.length} training rows, ${tests.length - outOfScope} in-scope and ${outOfScope} out-of-scope test cases`,
  );
  const scores: Record<string, (prediction: ClassifierPrediction) => number> = {
    confidence: (prediction) => prediction.confidence,
    margin: (prediction) => prediction.confidence - (prediction.scores[1]?.score ?? 0),
  };
  for (const [name, score] of Object.entries(scores)) {
    const rows = predictions.map((prediction, index) => ({
      score: score(prediction),
      outOfScope: held.has(tests[index]?.label ?? ""),
      correct: prediction.label === tests[index]?.label,
      escalatedAnyway: false,
    }));
    console.log(`\nscore: ${name}`);
    console.log("threshold  in-scope-accuracy  oos-recall  oos-precision");
    for (const point of outOfScopeCurve(
      rows,
      [0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95],
    )) {
      const marker = point.threshold === DEFAULT_CLASSIFIER_THRESHOLD ? "  <- default" : "";
      console.log(
        `${point.threshold.toFixed(2).padStart(9)}  ${percent(point.inScopeAccuracy).padStart(17)}  ${percent(point.recall).padStart(10)}  ${percent(point.precision).padStart(13)}${marker}`,
      );
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) classifierOutOfScope();
