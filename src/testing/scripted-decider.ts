import type { RouteRequest } from "../contracts/decider.ts";
import type { RouteDeciderFunction } from "../graph/types.ts";

/** A route decider that replays queued answers and records every request it got. */
export interface ScriptedDecider extends RouteDeciderFunction {
  readonly requests: RouteRequest[];
  /** Answers not consumed yet; a test should end with none. */
  remaining(): number;
  /** Fails when scripted answers were never asked for. */
  assertConsumed(): void;
}

/**
 * Replays `answers` in order (anything: valid, invalid, garbage, or an Error to throw).
 * Throws when asked more often than scripted, so a test sees unexpected calls.
 */
export function createScriptedDecider(answers: readonly unknown[]): ScriptedDecider {
  const queue = [...answers];
  const requests: RouteRequest[] = [];
  const decider = async (request: RouteRequest) => {
    requests.push(request);
    if (queue.length === 0)
      throw new Error(
        `scripted decider asked ${requests.length} times but only ${answers.length} answers were scripted`,
      );
    const next = queue.shift();
    if (next instanceof Error) throw next;
    return next;
  };
  const assertConsumed = () => {
    if (queue.length > 0)
      throw new Error(`scripted decider: ${queue.length} scripted answer(s) were never consumed`);
  };
  return Object.assign(decider, { requests, remaining: () => queue.length, assertConsumed });
}
