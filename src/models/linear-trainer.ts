/**
 * Multinomial logistic regression over sparse vectors, trained with stochastic
 * gradient descent: L2 penalty (applied lazily through a global scale), a
 * decaying step size, sparse updates and seeded shuffles, so training is
 * deterministic. There is no bias term: an empty vector scores every label 0.
 */

import type { SparseVector } from "./text-features.ts";

/** Options for {@link trainLinearModel}; every field has a documented default. */
export interface LinearTrainingOptions {
  /** Passes over the training set. Default 3. */
  readonly epochs?: number;
  /** Minimum number of single-example steps, so tiny training sets still converge. Default 1000. */
  readonly minimumSteps?: number;
  /** L2 penalty strength per step. Default 3e-6. */
  readonly regularization?: number;
  /** Initial step size. Default 2. */
  readonly learningRate?: number;
  /** Seed of the shuffles. Default 1. */
  readonly seed?: number;
  /**
   * Label smoothing: the share of each example's target spread evenly over the
   * other labels (0 = plain one-hot targets). Default 0. Measured for issue 15
   * and not adopted (docs/decisions/2026-11-30-offline-classifier.md).
   */
  readonly labelSmoothing?: number;
}

/** A trained linear model: `weights[feature * classCount + label]`. */
export interface LinearModel {
  readonly classCount: number;
  readonly weights: Float64Array;
  /** Number of single-example steps taken to train it (the step-size schedule resumes from here). */
  readonly steps: number;
}

/** One training row: a vector and the index of its label. */
export interface TrainingRow {
  readonly vector: SparseVector;
  readonly label: number;
}

/** Gradient entries smaller than this are skipped, which keeps updates sparse. */
const GRADIENT_FLOOR = 1e-3;

/** Writes the class scores (logits) of `vector` into `output` (length classCount). */
export function scoreVector(model: LinearModel, vector: SparseVector, output: Float64Array): void {
  accumulate(model.weights, model.classCount, vector, output, 1);
}

/** Sets `output` to `scale` times the product of `vector` with the weights, four rows at a time. */
function accumulate(
  weights: Float64Array,
  classCount: number,
  vector: SparseVector,
  output: Float64Array,
  scale: number,
): void {
  output.fill(0);
  const { indices, values } = vector;
  let slot = 0;
  for (; slot + 3 < indices.length; slot += 4) {
    const value0 = (values[slot] ?? 0) * scale;
    const value1 = (values[slot + 1] ?? 0) * scale;
    const value2 = (values[slot + 2] ?? 0) * scale;
    const value3 = (values[slot + 3] ?? 0) * scale;
    const base0 = (indices[slot] ?? 0) * classCount;
    const base1 = (indices[slot + 1] ?? 0) * classCount;
    const base2 = (indices[slot + 2] ?? 0) * classCount;
    const base3 = (indices[slot + 3] ?? 0) * classCount;
    for (let label = 0; label < classCount; label += 1) {
      output[label] =
        (output[label] ?? 0) +
        value0 * (weights[base0 + label] ?? 0) +
        value1 * (weights[base1 + label] ?? 0) +
        value2 * (weights[base2 + label] ?? 0) +
        value3 * (weights[base3 + label] ?? 0);
    }
  }
  for (; slot < indices.length; slot += 1) {
    const value = (values[slot] ?? 0) * scale;
    const base = (indices[slot] ?? 0) * classCount;
    for (let label = 0; label < classCount; label += 1) {
      output[label] = (output[label] ?? 0) + value * (weights[base + label] ?? 0);
    }
  }
}

/** Turns logits into probabilities in place: a numerically stable softmax at `temperature`. */
export function softmaxInPlace(logits: Float64Array, temperature = 1): void {
  let maximum = Number.NEGATIVE_INFINITY;
  for (const value of logits) maximum = Math.max(maximum, value);
  let total = 0;
  for (let label = 0; label < logits.length; label += 1) {
    const exponent = Math.exp(((logits[label] ?? 0) - maximum) / temperature);
    logits[label] = exponent;
    total += exponent;
  }
  for (let label = 0; label < logits.length; label += 1) {
    logits[label] = (logits[label] ?? 0) / total;
  }
}

/** A deterministic pseudo-random generator (mulberry32) returning numbers in [0, 1). */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/** Shuffles `items` in place (Fisher-Yates) with the given generator. */
export function shuffleInPlace<T>(items: T[] | Int32Array, random: () => number): void {
  for (let position = items.length - 1; position > 0; position -= 1) {
    const other = Math.floor(random() * (position + 1));
    const held = items[position] as T;
    items[position] = items[other] as T;
    items[other] = held;
  }
}

interface WorkingModel {
  readonly weights: Float64Array;
  readonly classCount: number;
  readonly gradient: Float64Array;
  readonly active: Int32Array;
  readonly smoothing: number;
  scale: number;
}

/**
 * Trains a model on `rows` over a vocabulary of `dimension` features. With
 * `warmStart`, training continues from that model (same dimension and classes),
 * whose weights are taken over and updated in place.
 */
export function trainLinearModel(
  rows: readonly TrainingRow[],
  dimension: number,
  classCount: number,
  options: LinearTrainingOptions = {},
  warmStart?: LinearModel,
): LinearModel {
  const regularization = options.regularization ?? 3e-6;
  const learningRate = options.learningRate ?? 2;
  const epochs = Math.max(
    options.epochs ?? 3,
    Math.ceil((options.minimumSteps ?? 1000) / Math.max(1, rows.length)),
  );
  const random = createRandom((options.seed ?? 1) + (warmStart?.steps ?? 0));
  const model: WorkingModel = {
    weights: warmStart?.weights ?? new Float64Array(dimension * classCount),
    classCount,
    gradient: new Float64Array(classCount),
    active: new Int32Array(classCount),
    smoothing: Math.min(1, Math.max(0, options.labelSmoothing ?? 0)),
    scale: 1,
  };
  const order = Int32Array.from(rows.keys());
  let step = warmStart?.steps ?? 0;
  for (let epoch = 0; epoch < epochs; epoch += 1) {
    shuffleInPlace(order, random);
    for (const rowIndex of order) {
      const row = rows[rowIndex];
      if (row === undefined) continue;
      const rate = learningRate / (1 + learningRate * regularization * step);
      step += 1;
      model.scale *= 1 - rate * regularization;
      if (model.scale < 1e-6) rescale(model);
      trainStep(model, rate, row);
    }
  }
  rescale(model);
  return { classCount, weights: model.weights, steps: step };
}

function trainStep(model: WorkingModel, rate: number, row: TrainingRow): void {
  const { weights, classCount, gradient, active } = model;
  accumulate(weights, classCount, row.vector, gradient, model.scale);
  softmaxInPlace(gradient);
  subtractTargets(gradient, row.label, model.smoothing);
  let activeCount = 0;
  for (let label = 0; label < classCount; label += 1) {
    const change = gradient[label] ?? 0;
    if (change > GRADIENT_FLOOR || change < -GRADIENT_FLOOR) {
      active[activeCount] = label;
      activeCount += 1;
    }
  }
  const { indices, values } = row.vector;
  for (let slot = 0; slot < indices.length; slot += 1) {
    const factor = (rate * (values[slot] ?? 0)) / model.scale;
    const base = (indices[slot] ?? 0) * classCount;
    for (let entry = 0; entry < activeCount; entry += 1) {
      const label = active[entry] ?? 0;
      weights[base + label] = (weights[base + label] ?? 0) - factor * (gradient[label] ?? 0);
    }
  }
}

/** Subtracts the target distribution: one-hot, or smoothed over the other labels. */
function subtractTargets(gradient: Float64Array, label: number, smoothing: number): void {
  if (smoothing > 0 && gradient.length > 1) {
    const spread = smoothing / (gradient.length - 1);
    for (let other = 0; other < gradient.length; other += 1)
      gradient[other] = (gradient[other] ?? 0) - spread;
    gradient[label] = (gradient[label] ?? 0) + spread - (1 - smoothing);
    return;
  }
  gradient[label] = (gradient[label] ?? 0) - 1;
}

function rescale(model: WorkingModel): void {
  const { weights, scale } = model;
  for (let position = 0; position < weights.length; position += 1) {
    weights[position] = (weights[position] ?? 0) * scale;
  }
  model.scale = 1;
}
