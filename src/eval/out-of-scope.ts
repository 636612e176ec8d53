/**
 * Out-of-scope scoring: how well a route escalates requests that belong to
 * none of its branches while still deciding the ones that do.
 */

/**
 * The Banking77 intents held out of training in the out-of-scope benchmark:
 * every eighth label of the data set's categories.json, starting with the
 * first, fixed here so the benchmark never changes under it (issue 15).
 */
export const HELD_OUT_INTENTS = [
  "card_arrival",
  "automatic_top_up",
  "pending_top_up",
  "card_acceptance",
  "visa_or_mastercard",
  "pending_card_payment",
  "card_swallowed",
  "receiving_money",
  "wrong_exchange_rate_for_cash_withdrawal",
  "cash_withdrawal_charge",
] as const;

/** One scored case of an out-of-scope benchmark. */
export interface OutOfScopeRow {
  /** The decider's confidence in its pick; below the threshold the route escalates. */
  readonly score: number;
  /** The case belongs to no branch: it must escalate. */
  readonly outOfScope: boolean;
  /** In-scope cases: the decider's pick is the expected branch. */
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

/** The out-of-scope figures if the route escalated every case scored below `threshold`. */
export function outOfScopePoint(rows: readonly OutOfScopeRow[], threshold: number): OutOfScopePoint {
  let inScope = 0;
  let inScopeRight = 0;
  let outOfScope = 0;
  let caught = 0;
  let escalated = 0;
  for (const row of rows) {
    const escalates = row.escalatedAnyway || row.score < threshold;
    if (escalates) escalated += 1;
    if (row.outOfScope) {
      outOfScope += 1;
      if (escalates) caught += 1;
    } else {
      inScope += 1;
      if (!escalates && row.correct) inScopeRight += 1;
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

/** In-scope accuracy, out-of-scope recall and precision against the threshold. */
export function outOfScopeCurve(
  rows: readonly OutOfScopeRow[],
  thresholds: readonly number[] = CURVE_THRESHOLDS,
): OutOfScopePoint[] {
  return thresholds.map((threshold) => outOfScopePoint(rows, threshold));
}
