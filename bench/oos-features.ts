/**
 * Per-prediction features for the learned out-of-scope decision of
 * bench/classifier-oos-learned.ts: the classifier's calibrated scores, the
 * text's vocabulary coverage and length, and its TF-IDF cosine to the predicted
 * intent's centroid and to the nearest training examples.
 */

import {
  type ClassifierPrediction,
  createLexicalClassifier,
  type LexicalClassifierOptions,
  type TrainingExample,
} from "../src/models/lexical-classifier.ts";
import {
  createTextFeaturizer,
  type SparseVector,
  type TextVectorizer,
  tokenize,
} from "../src/models/text-features.ts";

/** A classifier with what the out-of-scope features need beside it. */
export interface Scorer {
  readonly classifier: ReturnType<typeof createLexicalClassifier>;
  readonly vectorizer: TextVectorizer;
  /** Per label, the normalised mean vector (dense over the vocabulary). */
  readonly centroids: Map<string, Float64Array>;
  /** The training examples nearest to a vector, by exact cosine over an inverted index. */
  readonly neighbours: (vector: SparseVector) => Neighbours;
}

/** Cosine similarity to the training examples nearest to a text. */
interface Neighbours {
  readonly nearest: number;
  /** Mean of the five largest cosines. */
  readonly topFive: number;
  /** The nearest example's label. */
  readonly label: string;
}

export function buildScorer(
  examples: readonly TrainingExample[],
  options: LexicalClassifierOptions,
  withNeighbours: boolean,
): Scorer {
  const classifier = createLexicalClassifier(examples, options);
  const featurizer = createTextFeaturizer(options);
  const counted = examples.map((example) => featurizer.count(example.text));
  const vectorizer = featurizer.fit(counted);
  const vectors = counted.map((counts) => vectorizer.vectorizeCounts(counts));
  const dimension = vectorizer.dimension;
  const centroids = new Map<string, Float64Array>();
  vectors.forEach((vector, index) => {
    const label = examples[index]?.label ?? "";
    let centroid = centroids.get(label);
    if (centroid === undefined) {
      centroid = new Float64Array(dimension);
      centroids.set(label, centroid);
    }
    const norm = Math.hypot(...vector.values) || 1;
    vector.indices.forEach((feature, slot) => {
      centroid[feature] = (centroid[feature] ?? 0) + (vector.values[slot] ?? 0) / norm;
    });
  });
  for (const centroid of centroids.values()) {
    const norm = Math.hypot(...centroid) || 1;
    for (let index = 0; index < centroid.length; index += 1)
      centroid[index] = (centroid[index] ?? 0) / norm;
  }
  // Inverted index for the nearest training example (exact cosine over all features).
  const postings: number[][] = Array.from({ length: dimension }, () => []);
  const postingValues: number[][] = Array.from({ length: dimension }, () => []);
  if (withNeighbours) {
    vectors.forEach((vector, row) => {
      const norm = Math.hypot(...vector.values) || 1;
      vector.indices.forEach((feature, slot) => {
        postings[feature]?.push(row);
        postingValues[feature]?.push((vector.values[slot] ?? 0) / norm);
      });
    });
  }
  const scratch = new Float64Array(vectors.length);
  const neighbours = (vector: SparseVector): Neighbours => {
    if (!withNeighbours) return { nearest: 0, topFive: 0, label: "" };
    scratch.fill(0);
    const norm = Math.hypot(...vector.values) || 1;
    vector.indices.forEach((feature, slot) => {
      const rows = postings[feature] ?? [];
      const values = postingValues[feature] ?? [];
      const weight = (vector.values[slot] ?? 0) / norm;
      for (let entry = 0; entry < rows.length; entry += 1) {
        const row = rows[entry] ?? 0;
        scratch[row] = (scratch[row] ?? 0) + weight * (values[entry] ?? 0);
      }
    });
    const best = [0, 0, 0, 0, 0];
    let bestRow = 0;
    let bestValue = -1;
    scratch.forEach((value, row) => {
      if (value > bestValue) {
        bestValue = value;
        bestRow = row;
      }
      if (value > (best[4] ?? 0)) {
        best[4] = value;
        best.sort((a, b) => b - a);
      }
    });
    return {
      nearest: best[0] ?? 0,
      topFive: best.reduce((total, value) => total + value, 0) / 5,
      label: examples[bestRow]?.label ?? "",
    };
  };
  return { classifier, vectorizer, centroids, neighbours };
}

export const FEATURE_NAMES = [
  "confidence",
  "logit(confidence)",
  "margin",
  "entropy",
  "coverage",
  "log tokens",
  "centroid cosine",
  "nearest cosine",
  "top-5 neighbour cosine",
  "nearest label agrees",
  "label attraction",
] as const;

export function featuresOf(
  scorer: Scorer,
  text: string,
): { prediction: ClassifierPrediction; x: number[] } {
  const prediction = scorer.classifier.predict(text);
  const vector = scorer.vectorizer.vectorize(text);
  const scores = prediction.scores.map((score) => score.score);
  const top = scores[0] ?? 0;
  const second = scores[1] ?? 0;
  const rest = Math.max(1e-6, 1 - scores.reduce((total, value) => total + value, 0));
  let entropy = -rest * Math.log(rest);
  for (const value of scores) if (value > 0) entropy -= value * Math.log(value);
  let coverage = 0;
  for (const value of vector.values) coverage += value * value;
  coverage = Math.sqrt(coverage);
  const centroid = scorer.centroids.get(prediction.label);
  let cosine = 0;
  if (centroid !== undefined) {
    vector.indices.forEach((feature, slot) => {
      cosine += (vector.values[slot] ?? 0) * (centroid[feature] ?? 0);
    });
    cosine /= coverage || 1;
  }
  const clipped = Math.min(1 - 1e-4, Math.max(1e-4, top));
  const near = scorer.neighbours(vector);
  return {
    prediction,
    x: [
      top,
      Math.log(clipped / (1 - clipped)),
      top - second,
      entropy,
      coverage,
      Math.log(1 + tokenize(text).length),
      cosine,
      near.nearest,
      near.topFive,
      near.label === prediction.label ? 1 : 0,
    ],
  };
}
