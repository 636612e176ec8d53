import { z } from "zod";
import { DecisionSeen } from "./decision-seen.ts";

/** What kind of choice a decision record describes. */
export const DecisionKind = z.enum([
  "route",
  "tool",
  "approval",
  "retry",
  "fallback",
  "compensation",
  "escalation",
]);
export type DecisionKind = z.infer<typeof DecisionKind>;

/** Who (or what) made the choice. */
export const DecidedBy = z.enum(["rule", "classifier", "llm", "human", "default"]);
export type DecidedBy = z.infer<typeof DecidedBy>;

/** One option a decision had, with its score when the decider gave one. */
export const DecisionOption = z.object({
  name: z.string(),
  score: z.number().optional(),
});
export type DecisionOption = z.infer<typeof DecisionOption>;

/**
 * One entry of the decision-path log: why a run went where it went.
 * Written to graph state and to the store as it happens.
 */
export const DecisionRecord = z.object({
  /** Stable identity: `${node}@${step}.${attempt}#${kind}${ordinal of that kind}`, so a replayed step overwrites instead of duplicating. */
  key: z.string(),
  runId: z.string(),
  /** Assigned by the store in write order; 0 until stored. */
  sequence: z.number().int(),
  node: z.string(),
  kind: DecisionKind,
  options: z.array(DecisionOption),
  choice: z.string(),
  reason: z.string(),
  confidence: z.number().min(0).max(1).nullable(),
  decidedBy: DecidedBy,
  modelId: z.string().nullable(),
  tokensIn: z.number().int().nullable(),
  tokensOut: z.number().int().nullable(),
  latencyMs: z.number().nullable(),
  /** Cost of the model call in US dollars, when a price table is configured. */
  costUsd: z.number().nullable().optional(),
  /** ISO time the decision was made. */
  at: z.string(),
  /** The superstep it was made in (for ordering and idempotent replays). */
  step: z.number().int(),
  /** Route decisions: what the decider saw, so it can be asked again (issue 17). */
  seen: DecisionSeen.optional(),
  /** A `human` correction: the key of the decision it overrides (issue 17). */
  corrects: z.string().optional(),
});
export type DecisionRecord = z.infer<typeof DecisionRecord>;

/** What a node supplies; the recorder fills in identity, time and sequence. */
export type DecisionInput = Omit<
  DecisionRecord,
  | "key"
  | "runId"
  | "sequence"
  | "at"
  | "step"
  | "modelId"
  | "tokensIn"
  | "tokensOut"
  | "latencyMs"
  | "costUsd"
> &
  Partial<Pick<DecisionRecord, "modelId" | "tokensIn" | "tokensOut" | "latencyMs" | "costUsd">>;

/** Where a decision sits: its idempotent key, its run and its step. */
export interface DecisionIdentity {
  readonly key: string;
  readonly runId: string;
  readonly step: number;
}

/** Completes what a decider supplied into a record (sequence 0 until the store assigns one). */
export function createDecisionRecord(
  input: DecisionInput,
  identity: DecisionIdentity,
): DecisionRecord {
  return {
    modelId: null,
    tokensIn: null,
    tokensOut: null,
    latencyMs: null,
    ...input,
    ...identity,
    sequence: 0,
    at: new Date().toISOString(),
  };
}

/** Appends a node's decisions to the log held in graph state (detached runs). */
export function appendDecisions(
  current: readonly DecisionRecord[],
  update: readonly DecisionRecord[],
): DecisionRecord[] {
  return current.concat(update);
}
