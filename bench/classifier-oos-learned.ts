/**
 * Issue 15, round three: a learned escalation decision. During training, k
 * folds each hold out a random share of the TRAINING intents (pseudo out of
 * scope) and a share of the other intents' examples (held in); a classifier
 * trained on the rest scores both, and a small logistic regression learns
 * "out of scope" from per-prediction features (confidence, margin, entropy,
 * vocabulary coverage, length, cosine to the predicted intent's centroid and
 * to the nearest training example). The benchmark's held-out intents are never
 * seen: the folds draw only from the training intents.
 *
 * Run: npx tsx bench/classifier-oos-learned.ts dev    (choose: 20% of train.csv held out)
 *      npx tsx bench/classifier-oos-learned.ts test   (report: train.csv against test.csv)
 * Splits and held-out intents as in bench/classifier-variants.ts. Knobs:
 * FOLDS (5), SHARE (0.15 of the intents per fold), FOLD_OPTIONS (classifier
 * options of the fold models, JSON), NEIGHBOURS=0 (skip the nearest-example features).
 * Figures and verdict: docs/decisions/2026-11-30-offline-classifier.md, round three.
 */

import type {
  LexicalClassifierOptions,
  TrainingExample,
} from "../src/models/lexical-classifier.ts";
import { createRandom, shuffleInPlace } from "../src/models/linear-trainer.ts";
import { heldOutIntents, splitData } from "./banking77-data.ts";
import { buildScorer, FEATURE_NAMES, featuresOf, type Scorer } from "./oos-features.ts";

const percent = (value: number): string => `${(value * 100).toFixed(2)} %`;

interface Sample {
  readonly x: number[];
  readonly outOfScope: boolean;
  readonly fold?: number;
  readonly predicted?: string;
}

/**
 * Per predicted label, how often the folds' pseudo-out-of-scope cases landed on
 * it (as a smoothed log-odds against held-in cases predicted as it), leaving out
 * `fold`'s own samples.
 */
function attraction(samples: readonly Sample[], label: string, fold: number): number {
  let outside = 0;
  let inside = 0;
  for (const sample of samples) {
    if (sample.fold === fold || sample.predicted !== label) continue;
    if (sample.outOfScope) outside += 1;
    else inside += 1;
  }
  return Math.log((outside + 1) / (inside + 1));
}

/** k folds of intent hold-out over the training intents only. */
function pseudoOutOfScope(
  examples: readonly TrainingExample[],
  folds: number,
  intentShare: number,
  options: LexicalClassifierOptions,
  withNeighbours: boolean,
): Sample[] {
  const intents = [...new Set(examples.map((example) => example.label))];
  const random = createRandom(4242);
  const samples: Sample[] = [];
  const order = [...intents];
  shuffleInPlace(order, random);
  const perFold = Math.max(1, Math.round(intents.length * intentShare));
  for (let fold = 0; fold < folds; fold += 1) {
    // Disjoint pseudo-OOS intent sets while they last, then wrap around.
    const held = new Set(
      Array.from({ length: perFold }, (_, k) => order[(fold * perFold + k) % order.length] ?? ""),
    );
    const trainRows: TrainingExample[] = [];
    const heldIn: TrainingExample[] = [];
    const heldOut: TrainingExample[] = [];
    for (const example of examples) {
      if (held.has(example.label)) heldOut.push(example);
      else if (random() < 0.15) heldIn.push(example);
      else trainRows.push(example);
    }
    const scorer = buildScorer(trainRows, options, withNeighbours);
    for (const [list, outOfScope] of [
      [heldIn, false],
      [heldOut, true],
    ] as const) {
      for (const example of list) {
        const { prediction, x } = featuresOf(scorer, example.text);
        samples.push({ x, outOfScope, fold, predicted: prediction.label });
      }
    }
  }
  return samples;
}

interface Logistic {
  readonly mean: number[];
  readonly scale: number[];
  readonly weights: number[];
  readonly bias: number;
}

/** Class-balanced logistic regression by full-batch gradient descent on standardised features. */
function fitLogistic(samples: readonly Sample[], mask: readonly boolean[]): Logistic {
  const width = samples[0]?.x.length ?? 0;
  const mean = Array.from(
    { length: width },
    (_, j) => samples.reduce((total, sample) => total + (sample.x[j] ?? 0), 0) / samples.length,
  );
  const scale = Array.from({ length: width }, (_, j) => {
    const variance =
      samples.reduce((total, sample) => total + ((sample.x[j] ?? 0) - (mean[j] ?? 0)) ** 2, 0) /
      samples.length;
    return Math.sqrt(variance) || 1;
  });
  const positives = samples.filter((sample) => sample.outOfScope).length;
  const positiveWeight = samples.length / (2 * Math.max(1, positives));
  const negativeWeight = samples.length / (2 * Math.max(1, samples.length - positives));
  const weights = new Array<number>(width).fill(0);
  let bias = 0;
  const rate = 0.5;
  const l2 = 1e-3;
  for (let iteration = 0; iteration < 500; iteration += 1) {
    const gradient = new Array<number>(width).fill(0);
    let biasGradient = 0;
    for (const sample of samples) {
      let z = bias;
      for (let j = 0; j < width; j += 1)
        if (mask[j])
          z += (weights[j] ?? 0) * (((sample.x[j] ?? 0) - (mean[j] ?? 0)) / (scale[j] ?? 1));
      const p = 1 / (1 + Math.exp(-z));
      const weight = sample.outOfScope ? positiveWeight : negativeWeight;
      const error = weight * (p - (sample.outOfScope ? 1 : 0));
      biasGradient += error;
      for (let j = 0; j < width; j += 1)
        if (mask[j])
          gradient[j] =
            (gradient[j] ?? 0) + error * (((sample.x[j] ?? 0) - (mean[j] ?? 0)) / (scale[j] ?? 1));
    }
    for (let j = 0; j < width; j += 1)
      weights[j] =
        (weights[j] ?? 0) - rate * ((gradient[j] ?? 0) / samples.length + l2 * (weights[j] ?? 0));
    bias -= (rate * biasGradient) / samples.length;
  }
  return { mean, scale, weights, bias };
}

function outOfScopeProbability(model: Logistic, x: readonly number[]): number {
  let z = model.bias;
  for (let j = 0; j < x.length; j += 1)
    z += (model.weights[j] ?? 0) * (((x[j] ?? 0) - (model.mean[j] ?? 0)) / (model.scale[j] ?? 1));
  return 1 / (1 + Math.exp(-z));
}

interface Row {
  readonly score: number;
  readonly outOfScope: boolean;
  readonly correct: boolean;
}

function at(rows: readonly Row[], limit: number): { accuracy: number; recall: number } {
  const inScope = rows.filter((row) => !row.outOfScope).length;
  const outOfScope = rows.length - inScope;
  return {
    accuracy:
      rows.filter((row) => !row.outOfScope && row.correct && row.score >= limit).length / inScope,
    recall: rows.filter((row) => row.outOfScope && row.score < limit).length / outOfScope,
  };
}

/** Area under the ROC curve of `score` separating in-scope-and-right cases (high) from out-of-scope ones (low). */
function separation(rows: readonly Row[]): number {
  const positives = rows.filter((row) => !row.outOfScope && row.correct).map((row) => row.score);
  const negatives = rows.filter((row) => row.outOfScope).map((row) => row.score);
  let wins = 0;
  for (const positive of positives)
    for (const negative of negatives)
      wins += positive > negative ? 1 : positive === negative ? 0.5 : 0;
  return wins / (positives.length * negatives.length);
}

function line(name: string, rows: readonly Row[], thresholds: readonly number[]): void {
  let recallAt88 = 0;
  let accuracyAt85 = 0;
  for (const row of rows) {
    const point = at(rows, row.score);
    if (point.accuracy >= 0.88) recallAt88 = Math.max(recallAt88, point.recall);
    if (point.recall >= 0.85) accuracyAt85 = Math.max(accuracyAt85, point.accuracy);
  }
  const fixed = thresholds
    .map((threshold) => {
      const point = at(rows, threshold);
      return `${threshold.toFixed(3)}: ${percent(point.accuracy)} / ${percent(point.recall)}`;
    })
    .join("; ");
  console.log(
    `| ${name} | ${fixed} | ${percent(recallAt88)} | ${percent(accuracyAt85)} | ${separation(rows).toFixed(3)} |`,
  );
}

interface TestCase {
  readonly x: number[];
  readonly outOfScope: boolean;
  readonly correct: boolean;
  readonly confidence: number;
  readonly label: string;
  readonly predicted: string;
}

/** The folds' samples, each with its label attraction (its own fold left out), and every label's attraction. */
function foldSamples(
  train: readonly TrainingExample[],
  withNeighbours: boolean,
): { samples: Sample[]; attractions: Map<string, number> } {
  const folds = Number(process.env.FOLDS ?? 5);
  const share = Number(process.env.SHARE ?? 0.15);
  const foldOptions: LexicalClassifierOptions = JSON.parse(process.env.FOLD_OPTIONS ?? "{}");
  const cpu = process.cpuUsage();
  const samples = pseudoOutOfScope(train, folds, share, foldOptions, withNeighbours);
  const foldCpu = process.cpuUsage(cpu);
  console.log(
    `${folds} folds × ${share} of the intents, fold options ${JSON.stringify(foldOptions)}: ${samples.length} samples (${samples.filter((s) => s.outOfScope).length} out of scope), fold CPU ${((foldCpu.user + foldCpu.system) / 1e6).toFixed(2)} s`,
  );
  const attractions = new Map<string, number>();
  for (const sample of samples) {
    const label = sample.predicted ?? "";
    if (!attractions.has(label)) attractions.set(label, attraction(samples, label, -1));
  }
  for (const sample of samples)
    sample.x.push(attraction(samples, sample.predicted ?? "", sample.fold ?? -1));
  return { samples, attractions };
}

function scoreTests(
  scorer: Scorer,
  tests: readonly TrainingExample[],
  held: Set<string>,
  attractions: Map<string, number>,
): TestCase[] {
  const decisionCpu = process.cpuUsage();
  for (const example of tests) featuresOf(scorer, example.text);
  const decisionUsage = process.cpuUsage(decisionCpu);
  const plainCpu = process.cpuUsage();
  for (const example of tests) scorer.classifier.predict(example.text);
  const plainUsage = process.cpuUsage(plainCpu);
  const perCase = (usage: NodeJS.CpuUsage) =>
    ((usage.user + usage.system) / tests.length).toFixed(0);
  console.log(
    `decision CPU per case: ${perCase(decisionUsage)} µs with the features, ${perCase(plainUsage)} µs predict alone`,
  );
  return tests.map((example) => {
    const { prediction, x } = featuresOf(scorer, example.text);
    x.push(attractions.get(prediction.label) ?? 0);
    return {
      x,
      outOfScope: held.has(example.label),
      correct: prediction.label === example.label,
      confidence: prediction.confidence,
      label: example.label,
      predicted: prediction.label,
    };
  });
}

function reportHeldOut(tests: readonly TestCase[], held: Set<string>): void {
  const inScope = tests.filter((t) => !t.outOfScope);
  const right = inScope.filter((t) => t.correct).length;
  console.log(
    `in-scope top-1 (the in-scope accuracy ceiling, nothing escalated): ${percent(right / inScope.length)}`,
  );
  console.log("held-out intent: cases, decided at 0.8, most common pick when decided");
  for (const intent of held) {
    const cases = tests.filter((t) => t.label === intent);
    const decided = cases.filter((t) => t.confidence >= 0.8);
    const picks = new Map<string, number>();
    for (const t of decided) picks.set(t.predicted, (picks.get(t.predicted) ?? 0) + 1);
    const [pick, count] = [...picks].sort((a, b) => b[1] - a[1])[0] ?? ["—", 0];
    console.log(`  ${intent}: ${cases.length}, ${decided.length}, ${pick} (${count})`);
  }
}

const MASKS: readonly [string, boolean[]][] = [
  ["LR: all features", FEATURE_NAMES.map(() => true)],
  ["LR: confidence, margin, entropy", FEATURE_NAMES.map((_, j) => j <= 3)],
  ["LR: all but neighbours", FEATURE_NAMES.map((_, j) => j < 7)],
  ["LR: all but centroid/nearest", FEATURE_NAMES.map((_, j) => j < 6)],
  ["LR: all but label attraction", FEATURE_NAMES.map((_, j) => j < 10)],
  [
    "LR: confidence, margin, entropy, label attraction",
    FEATURE_NAMES.map((_, j) => j <= 3 || j === 10),
  ],
];

function reportLearned(
  name: string,
  model: Logistic,
  samples: readonly Sample[],
  tests: readonly TestCase[],
): void {
  // Threshold calibrated on the pseudo-OOS folds: the in-scope score (1 − P(oos))
  // below which 85 % of the pseudo-out-of-scope samples fall.
  const pseudo = samples
    .filter((sample) => sample.outOfScope)
    .map((sample) => 1 - outOfScopeProbability(model, sample.x))
    .sort((a, b) => a - b);
  const calibrated = pseudo[Math.floor(0.85 * pseudo.length)] ?? 0.5;
  const rows = (score: (t: TestCase) => number): Row[] =>
    tests.map((t) => ({ score: score(t), outOfScope: t.outOfScope, correct: t.correct }));
  line(
    `${name}, 1 − P(oos)`,
    rows((t) => 1 - outOfScopeProbability(model, t.x)),
    [0.5, 0.8, calibrated],
  );
  line(
    `${name}, confidence × (1 − P(oos))`,
    rows((t) => t.confidence * (1 - outOfScopeProbability(model, t.x))),
    [0.5, 0.8],
  );
}

function main(): void {
  const splitName = process.argv[2] === "test" ? "test" : "dev";
  const split = splitData(splitName);
  const held = heldOutIntents(splitName);
  const train = split.train.filter((example) => !held.has(example.label));
  const withNeighbours = process.env.NEIGHBOURS !== "0";
  console.log(
    `${splitName}: ${train.length} training rows (${held.size} intents held out), ${split.tests.length} tests`,
  );
  const { samples, attractions } = foldSamples(train, withNeighbours);
  const scorer = buildScorer(train, {}, withNeighbours);
  const tests = scoreTests(scorer, split.tests, held, attractions);
  reportHeldOut(tests, held);
  console.log(
    "| score | in-scope / recall at thresholds | recall at in-scope ≥ 88 % | in-scope at recall ≥ 85 % | AUROC (right in-scope vs OOS) |",
  );
  console.log("| --- | --- | ---: | ---: | ---: |");
  line(
    "confidence",
    tests.map((t) => ({ score: t.confidence, outOfScope: t.outOfScope, correct: t.correct })),
    [0.8],
  );
  // Diagnostic only, not a method: the regression fitted on the test rows
  // themselves, roughly the most any weighting of these features can do.
  const fittedOnTests = fitLogistic(
    tests,
    FEATURE_NAMES.map(() => true),
  );
  line(
    "diagnostic: LR on all features fitted on the test rows themselves",
    tests.map((t) => ({
      score: 1 - outOfScopeProbability(fittedOnTests, t.x),
      outOfScope: t.outOfScope,
      correct: t.correct,
    })),
    [0.5],
  );
  for (const [name, mask] of MASKS) {
    const model = fitLogistic(samples, mask);
    console.log(
      `${name}: weights ${FEATURE_NAMES.map((f, j) => `${f} ${(model.weights[j] ?? 0).toFixed(2)}`).join(", ")}, bias ${model.bias.toFixed(2)}`,
    );
    reportLearned(name, model, samples, tests);
  }
}

main();
