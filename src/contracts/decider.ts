/**
 * The route decider contract, shared by the route node (graph) and the deciders that
 * implement it (models): what a decider is asked, what it answers and how it reports
 * the decisions it makes on the way. Lowest layer: imports nothing of src/ but contracts.
 */
import type { DecidedBy, DecisionInput } from "./decision.ts";

/** What a route decider is asked. */
export interface RouteRequest<S = unknown> {
  readonly node: string;
  readonly text: string;
  readonly branches: readonly { name: string; description: string; examples: readonly string[] }[];
  readonly state: S;
  /** Set on the repair attempt: what was wrong with the first answer. */
  readonly previousError?: string;
}

/** One call to a decider: the raw answer (unvalidated) and what it cost. */
export interface RawAnswer {
  readonly value: unknown;
  readonly modelId?: string;
  readonly tokensIn?: number;
  readonly tokensOut?: number;
  readonly costUsd?: number;
}

/** Receives decisions a decider makes on the way (retries, fallbacks) for the log. */
export type DecisionReport = (decision: DecisionInput) => void;

/** A decider that can be asked the same question twice (first try and repair). */
export interface Decider {
  readonly decidedBy: DecidedBy;
  ask(request: RouteRequest, report: DecisionReport): Promise<RawAnswer>;
  /** Does now what the first `ask` would do once (the offline classifier trains here). */
  prepare?(): void;
}

/** Pulls the JSON object out of model text (tolerates code fences and prose around it). */
export function extractJson(text: string): unknown {
  const start = text.indexOf("{");
  const end = text.lastIndexOf("}");
  if (start < 0 || end <= start) return text;
  try {
    return JSON.parse(text.slice(start, end + 1)) as unknown;
  } catch {
    return text;
  }
}
