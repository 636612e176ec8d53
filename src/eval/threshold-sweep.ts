/**
 * What a route would have done at other confidence thresholds: the share it
 * decides and how often it is right (the accuracy-vs-coverage curve), and how
 * well it escalates out-of-scope requests (ones that belong to none of its
 * branches) while still deciding the ones that do. Both curves come from the
 * same rows, so the workflow's own operating point lies on them.
 */

import type { CoveragePoint } from "./types.ts";

/** One scored case: what the decider picked, how sure it was, and what was expected. */
export interface SweepRow {
  /** The decider's confidence in its pick; below the threshold the route escalates. Infinity for a rule's decision. */
  readonly score: number;
  /** The case belongs to no branch: it must escalate. */
  readonly outOfScope: boolean;
  /** The decider's pick is an expected branch. */
  readonly correct: boolean;
  /** The pick itself was the escalation branch (escalated whatever the threshold). */
  readonly escalatedAnyway: boolean;
}

/** The out-of-scope figures at one threshold. */
export interface OutOfScopePoint {
  readonly threshold: number;
  /** In-scope cases routed to the right branch and not escalated, over all in-scope cases. */
  readonly inScopeAccuracy: number | null;
  /** Out-of-scope cases escalated, over all out-of-scope cases. */
  readonly recall: number | null;
  /** Escalated cases that were out of scope, over all escalated cases. */
  readonly precision: number | null;
}

function escalates(row: SweepRow, threshold: number): boolean {
  return row.escalatedAnyway || row.score < threshold;
}

/** The out-of-scope figures if the route escalated every case scored below `threshold`. */
export function outOfScopePoint(rows: readonly SweepRow[], threshold: number): OutOfScopePoint {
  let inScope = 0;
  let inScopeRight = 0;
  let outOfScope = 0;
  let caught = 0;
  let escalated = 0;
  for (const row of rows) {
    const escalatedHere = escalates(row, threshold);
    if (escalatedHere) escalated += 1;
    if (row.outOfScope) {
      outOfScope += 1;
      if (escalatedHere) caught += 1;
    } else {
      inScope += 1;
      if (!escalatedHere && row.correct) inScopeRight += 1;
    }
  }
  return {
    threshold,
    inScopeAccuracy: inScope === 0 ? null : inScopeRight / inScope,
    recall: outOfScope === 0 ? null : caught / outOfScope,
    precision: escalated === 0 ? null : caught / escalated,
  };
}

/** Default thresholds of the out-of-scope curve: 0 to 0.95 in steps of 0.05, and 0.99. */
export const CURVE_THRESHOLDS: readonly number[] = [
  ...Array.from({ length: 20 }, (_, step) => Math.round(step * 5) / 100),
  0.99,
];

/** Thresholds of the accuracy-vs-coverage curve: 1 down to 0 in steps of 0.01. */
const COVERAGE_THRESHOLDS: readonly number[] = Array.from(
  { length: 101 },
  (_, step) => (100 - step) / 100,
);

/**
 * Accuracy on the decided cases against the share decided, deciding only at or
 * above each threshold (1 down to 0 by 0.01); repeated points are dropped.
 * Cases with no decided pick at any threshold are counted in the coverage's denominator.
 */
export function coverageSweep(
  rows: readonly SweepRow[],
  thresholds: readonly number[] = COVERAGE_THRESHOLDS,
): CoveragePoint[] {
  const curve: CoveragePoint[] = [];
  for (const threshold of thresholds) {
    let decided = 0;
    let right = 0;
    for (const row of rows) {
      if (escalates(row, threshold)) continue;
      decided += 1;
      if (row.correct) right += 1;
    }
    if (decided === 0 || rows.length === 0) continue;
    const point = { threshold, coverage: decided / rows.length, accuracy: right / decided };
    const last = curve.at(-1);
    if (last?.coverage === point.coverage && last.accuracy === point.accuracy) continue;
    curve.push(point);
  }
  return curve;
}

/** In-scope accuracy, out-of-scope recall and precision against the threshold. */
export function outOfScopeCurve(
  rows: readonly SweepRow[],
  thresholds: readonly number[] = CURVE_THRESHOLDS,
): OutOfScopePoint[] {
  return thresholds.map((threshold) => outOfScopePoint(rows, threshold));
}
