import type { CoveragePoint } from "./types.ts";

/** The `share` quantile (0..1) of the values, by nearest rank; null when there are none. */
export function percentile(values: readonly number[], share: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((left, right) => left - right);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1));
  return sorted[rank] ?? null;
}

/** `part / whole`, or `empty` when there is no whole. */
export function ratio(part: number, whole: number, empty = 0): number {
  return whole === 0 ? empty : part / whole;
}

/** One scored prediction: its confidence, and whether it was right. */
export interface ScoredPrediction {
  readonly confidence: number;
  readonly correct: boolean;
}

/**
 * Accuracy against coverage when deciding only at or above each confidence
 * (the rest escalate): a selective-classification curve, at most `points` long.
 */
export function coverageCurve(
  predictions: readonly ScoredPrediction[],
  points = 60,
): CoveragePoint[] {
  const sorted = [...predictions].sort((left, right) => right.confidence - left.confidence);
  const curve: CoveragePoint[] = [];
  let correct = 0;
  let lastCoverage = 0;
  sorted.forEach((prediction, index) => {
    if (prediction.correct) correct += 1;
    const next = sorted[index + 1];
    const coverage = (index + 1) / sorted.length;
    const boundary = next === undefined || next.confidence < prediction.confidence;
    if (!boundary || (next !== undefined && coverage - lastCoverage < 1 / points)) return;
    lastCoverage = coverage;
    curve.push({ threshold: prediction.confidence, coverage, accuracy: correct / (index + 1) });
  });
  return curve;
}

/** A count per key, most frequent first. */
export function countBy<T>(items: readonly T[], key: (item: T) => string): [string, number][] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts].sort((left, right) => right[1] - left[1] || left[0].localeCompare(right[0]));
}
