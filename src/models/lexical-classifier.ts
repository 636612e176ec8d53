/**
 * The offline intent classifier: decides among a routing step's declared
 * branches with no network and no model weights. It is trained at start-up from
 * each branch's description and examples: TF-IDF over word and character
 * n-grams, multinomial logistic regression, and a softmax temperature fitted by
 * cross-validation so that confidence reads as a probability of being right.
 */

import { argMax, type CalibrationSample, fitTemperature } from "./calibration.ts";
import {
  type ClassifierParts,
  deserializeClassifier,
  type SerializedClassifier,
  serializeClassifier,
} from "./classifier-serialization.ts";
import {
  createRandom,
  type LinearModel,
  type LinearTrainingOptions,
  scoreVector,
  shuffleInPlace,
  softmaxInPlace,
  type TrainingRow,
  trainLinearModel,
} from "./linear-trainer.ts";
import {
  createTextFeaturizer,
  resolvedFeatureOptions,
  restoreTextVectorizer,
  type SparseVector,
  type TextFeatureOptions,
  type TextVectorizer,
} from "./text-features.ts";

export type { SerializedClassifier } from "./classifier-serialization.ts";

/** One labelled training text (a branch description or an example message). */
export interface TrainingExample {
  readonly label: string;
  readonly text: string;
}

/** A label with its calibrated probability, in [0, 1]. */
export interface ClassifierScore {
  readonly label: string;
  readonly score: number;
}

/** The classifier's answer for one text. */
export interface ClassifierPrediction {
  /** The most likely label. */
  readonly label: string;
  /** Calibrated probability that `label` is right, in [0, 1]. */
  readonly confidence: number;
  /** The (at most 5) best labels, sorted by descending score; scores sum to at most 1. */
  readonly scores: readonly ClassifierScore[];
}

/** A trained classifier. */
export interface LexicalClassifier {
  /** The labels it decides among, in declaration (or first-appearance) order. */
  readonly labels: readonly string[];
  /** Classifies one text. Empty or unrecognisable text gets a confidence near 0. */
  predict(text: string): ClassifierPrediction;
  /**
   * The trained model as versioned JSON (`format` and `version` fields), to save
   * and load with {@link restoreLexicalClassifier} instead of training again.
   */
  serialize(): SerializedClassifier;
}

/**
 * Tuning knobs for {@link createLexicalClassifier}; all optional. Feature
 * options are documented on {@link TextFeatureOptions}, training options on
 * {@link LinearTrainingOptions}.
 */
export interface LexicalClassifierOptions extends TextFeatureOptions, LinearTrainingOptions {
  /** Declared labels; each needs at least one example. Default: the examples' labels in order of appearance. */
  readonly labels?: readonly string[];
  /** Cross-validation folds used to calibrate confidence. Default 5. */
  readonly calibrationFolds?: number;
  /**
   * Above this many examples, calibrate on a single held-out fold instead of all
   * folds, and finish the final model from that fold's model with one more pass
   * over every example instead of training it from scratch. Default 2000.
   */
  readonly crossValidationLimit?: number;
  /**
   * Vocabulary coverage of a text (the norm of its vector: 1 when every feature
   * was seen in training) from which confidence is not reduced; below it,
   * confidence shrinks in proportion, so empty or unfamiliar text scores near 0.
   * Default 0.5.
   */
  readonly fullCoverage?: number;
}

/** The confidence threshold at which the classifier decides by default (below it, the route escalates). */
export const DEFAULT_CLASSIFIER_THRESHOLD = 0.8;

const MAXIMUM_SCORES = 5;

interface CalibrationSettings {
  readonly folds: number;
  readonly crossValidationLimit: number;
  readonly fullCoverage: number;
  readonly seed: number;
}

/**
 * Trains a classifier on labelled examples.
 *
 * @throws Error when there are no examples, a declared label has no example,
 *   an example's label is not declared, or an example's text is blank.
 */
export function createLexicalClassifier(
  examples: readonly TrainingExample[],
  options: LexicalClassifierOptions = {},
): LexicalClassifier {
  const labels = resolveLabels(examples, options.labels);
  const labelIndex = new Map(labels.map((label, index) => [label, index]));
  const featurizer = createTextFeaturizer(options);
  const counted = examples.map((example) => ({
    counts: featurizer.count(example.text),
    label: labelIndex.get(example.label) ?? 0,
  }));
  const vectorizer = featurizer.fit(counted.map((entry) => entry.counts));
  const rows: TrainingRow[] = counted.map(({ counts, label }) => ({
    vector: vectorizer.vectorizeCounts(counts),
    label,
  }));
  const settings = resolveSettings(options);
  const dimension = vectorizer.dimension;
  const { samples, warmStart } = crossValidate(rows, dimension, labels.length, options, settings);
  const temperature = fitTemperature(samples);
  const finalOptions =
    warmStart === undefined ? options : { ...options, epochs: 1, minimumSteps: 0 };
  const model = trainLinearModel(rows, dimension, labels.length, finalOptions, warmStart);
  return assemble(
    {
      labels,
      features: resolvedFeatureOptions(options),
      vocabulary: vectorizer.state(),
      model,
      temperature,
      fullCoverage: settings.fullCoverage,
    },
    vectorizer,
  );
}

/**
 * Loads a classifier saved with {@link LexicalClassifier.serialize}: it predicts
 * as the saved one did (confidences within 1e-5), without training.
 * @throws Error naming the field when `data` is not a saved classifier of this format version
 */
export function restoreLexicalClassifier(data: unknown): LexicalClassifier {
  const parts = deserializeClassifier(data);
  return assemble(parts, restoreTextVectorizer(parts.features, parts.vocabulary));
}

function assemble(parts: ClassifierParts, vectorizer: TextVectorizer): LexicalClassifier {
  const { labels, model, temperature, fullCoverage } = parts;
  const predict = createPredictor(labels, vectorizer, model, temperature, fullCoverage);
  return { labels, predict, serialize: () => serializeClassifier(parts) };
}

function resolveSettings(options: LexicalClassifierOptions): CalibrationSettings {
  return {
    folds: Math.max(2, Math.floor(options.calibrationFolds ?? 5)),
    crossValidationLimit: options.crossValidationLimit ?? 2000,
    fullCoverage: options.fullCoverage ?? 0.5,
    seed: options.seed ?? 1,
  };
}

function resolveLabels(
  examples: readonly TrainingExample[],
  declared: readonly string[] | undefined,
): string[] {
  const labels =
    declared === undefined ? [...new Set(examples.map((example) => example.label))] : [...declared];
  if (labels.length === 0) {
    throw new Error(
      "Lexical classifier needs at least one label with at least one training example",
    );
  }
  if (new Set(labels).size !== labels.length) {
    throw new Error(`Lexical classifier labels must be unique, got: ${labels.join(", ")}`);
  }
  const known = new Set(labels);
  for (const example of examples) {
    if (!known.has(example.label)) {
      throw new Error(
        `Training example label "${example.label}" is not one of the declared labels: ${labels.join(", ")}`,
      );
    }
    if (example.text.trim() === "") {
      throw new Error(`Training example for label "${example.label}" has empty text`);
    }
  }
  const counted = new Set(examples.map((example) => example.label));
  const missing = labels.filter((label) => !counted.has(label));
  if (missing.length > 0) {
    const names = missing.map((label) => `"${label}"`).join(", ");
    throw new Error(`Label ${names} has no training examples; every label needs at least one`);
  }
  return labels;
}

/**
 * Assigns each row to a calibration fold, stratified by label. Rows of labels
 * with a single example get -1: they are always trained on, never held out.
 */
function assignFolds(
  rows: readonly TrainingRow[],
  classCount: number,
  settings: CalibrationSettings,
): Int32Array {
  const random = createRandom(settings.seed + 7919);
  const groups: number[][] = Array.from({ length: classCount }, () => []);
  rows.forEach((row, index) => {
    groups[row.label]?.push(index);
  });
  const folds = new Int32Array(rows.length).fill(-1);
  let next = 0;
  for (const group of groups) {
    if (group.length < 2) continue;
    shuffleInPlace(group, random);
    for (const index of group) {
      folds[index] = next % settings.folds;
      next += 1;
    }
  }
  return folds;
}

/** Held-out predictions for calibration, and (for large sets) a model to finish training from. */
interface CrossValidation {
  readonly samples: CalibrationSample[];
  readonly warmStart: LinearModel | undefined;
}

/**
 * Trains on all folds but one, in turn, and collects predictions for the
 * held-out rows. Large sets run a single fold, whose model is then returned so
 * that the final model continues from it rather than starting over. All folds
 * share the vocabulary fitted on every row: features that only held-out rows
 * contain keep a zero weight in the fold's model, so they act as unseen words.
 */
function crossValidate(
  rows: readonly TrainingRow[],
  dimension: number,
  classCount: number,
  training: LinearTrainingOptions,
  settings: CalibrationSettings,
): CrossValidation {
  const folds = assignFolds(rows, classCount, settings);
  const single = rows.length > settings.crossValidationLimit;
  const samples: CalibrationSample[] = [];
  let lastModel: LinearModel | undefined;
  for (let fold = 0; fold < (single ? 1 : settings.folds); fold += 1) {
    const trainRows = rows.filter((_, index) => folds[index] !== fold);
    if (trainRows.length === rows.length) continue;
    lastModel = trainLinearModel(trainRows, dimension, classCount, training);
    rows.forEach((row, index) => {
      if (folds[index] !== fold || lastModel === undefined) return;
      const logits = new Float64Array(classCount);
      scoreVector(lastModel, row.vector, logits);
      samples.push({ logits, label: row.label });
    });
  }
  return { samples, warmStart: single ? lastModel : undefined };
}

/** The share of a text its vector covers (the vector's norm, in [0, 1]). */
function coverage(vector: SparseVector): number {
  let total = 0;
  for (const value of vector.values) total += value * value;
  return Math.min(1, Math.sqrt(total));
}

function createPredictor(
  labels: readonly string[],
  vectorizer: TextVectorizer,
  model: LinearModel,
  temperature: number,
  fullCoverage: number,
): (text: string) => ClassifierPrediction {
  const probabilities = new Float64Array(labels.length);
  return (text) => {
    const vector = vectorizer.vectorize(text);
    scoreVector(model, vector, probabilities);
    softmaxInPlace(probabilities, temperature);
    const factor = fullCoverage > 0 ? Math.min(1, coverage(vector) / fullCoverage) : 1;
    const scores: ClassifierScore[] = [];
    for (let rank = 0; rank < Math.min(MAXIMUM_SCORES, labels.length); rank += 1) {
      const best = argMax(probabilities);
      scores.push({ label: labels[best] ?? "", score: (probabilities[best] ?? 0) * factor });
      probabilities[best] = Number.NEGATIVE_INFINITY;
    }
    const top = scores[0] ?? { label: labels[0] ?? "", score: 0 };
    return { label: top.label, confidence: top.score, scores };
  };
}
