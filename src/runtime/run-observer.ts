import type { DecisionRecord } from "../contracts/decision.ts";
import type { RunEvent } from "../graph/events.ts";
import type { RunRecord } from "../store/types.ts";

/** Which run an observation belongs to. */
export interface ObservedRun {
  readonly runId: string;
  readonly workflow: string;
  readonly version: string;
}

/**
 * Watches the runs driven in this process (metrics, traces). Every callback is
 * optional, called synchronously, and must not throw: a failing observer is logged
 * and never affects the run.
 */
export interface RunObserver {
  /** A drive begins: a new run, or one continuing after an approval or a recovery. */
  readonly driveStart?: (run: RunRecord) => void;
  /** The drive ended: the run as it was settled (or as it stood when the drive failed). */
  readonly driveEnd?: (run: RunRecord | undefined, observed: ObservedRun, error?: unknown) => void;
  readonly event?: (event: RunEvent, observed: ObservedRun) => void;
  /** A decision was stored (every kind: routes, tools, approvals, retries, …). */
  readonly decision?: (decision: DecisionRecord, observed: ObservedRun) => void;
}

/** Calls `call` on every observer, logging (never throwing) what fails. */
export function notifyObservers(
  observers: Iterable<RunObserver>,
  call: (observer: RunObserver) => void,
  onError: (error: unknown) => void,
): void {
  for (const observer of observers) {
    try {
      call(observer);
    } catch (error) {
      onError(error);
    }
  }
}
