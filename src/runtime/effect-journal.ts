import type { Logger } from "pino";
import { ErrorCode, SignalboxError } from "../errors.ts";
import type { RunEvent } from "../graph/events.ts";
import type { EffectCall, EffectOutcome } from "../graph/run-context.ts";
import type { EffectRecord, Lease, RunStore } from "../store/types.ts";

export interface EffectJournalOptions {
  readonly store: RunStore;
  readonly lease: Lease;
  readonly runId: string;
  readonly dryRun: boolean;
  readonly logger: Logger;
  readonly emit: (event: RunEvent) => void;
}

type EffectEventStatus = "performed" | "replayed" | "planned" | "failed";

/**
 * Runs a side effect at most once per idempotency key. The effect is claimed in the
 * journal (compare-and-set, fenced by the driver's lease) before it is performed, so
 * two drivers can never both perform it; a completed effect is replayed from the
 * journal; in a dry-run it is only planned. An effect whose driver lost the run inside
 * it (a crash, a stall past the lease) is claimed again by the next driver and performed
 * again with the same key: downstream systems that take the key close that last window.
 * @throws SignalboxError LEASE_LOST when this driver no longer holds the run
 */
export async function journalEffect<T>(
  options: EffectJournalOptions,
  call: EffectCall<T>,
): Promise<EffectOutcome<T>> {
  const { store, runId, emit, lease } = options;
  const event = (status: EffectEventStatus) =>
    emit({ type: "effect", runId, node: call.node, name: call.name, key: call.key, status });
  const base: EffectRecord = {
    key: call.key,
    runId,
    node: call.node,
    name: call.name,
    effect: call.effect,
    status: "started",
    args: call.args,
    result: null,
    error: null,
    startedAt: new Date().toISOString(),
    finishedAt: null,
  };
  if (options.dryRun) {
    const existing = await store.getEffect(call.key);
    if (existing === undefined || existing.status === "planned")
      await store.putEffect({ ...base, status: "planned" }, lease);
    event("planned");
    return { status: "planned" };
  }
  const claim = await store.claimEffect(base, lease);
  if (!claim.claimed) {
    if (claim.existing.status === "started")
      throw new SignalboxError(
        ErrorCode.StepFailed,
        `effect ${call.key} is already being performed by this run; it is not started twice`,
      );
    event("replayed");
    return { status: "replayed", result: claim.existing.result as T };
  }
  if (claim.previous?.status === "started")
    options.logger.warn(
      { node: call.node, key: call.key },
      "effect started by a driver that lost the run; performing it again with the same idempotency key",
    );
  return perform(options, call, base, event);
}

async function perform<T>(
  options: EffectJournalOptions,
  call: EffectCall<T>,
  base: EffectRecord,
  event: (status: EffectEventStatus) => void,
): Promise<EffectOutcome<T>> {
  let result: T;
  try {
    result = await call.perform();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const at = new Date().toISOString();
    await options.store.putEffect(
      { ...base, status: "failed", error: message, finishedAt: at },
      options.lease,
    );
    event("failed");
    throw error;
  }
  const at = new Date().toISOString();
  await options.store.putEffect(
    { ...base, status: "completed", result, finishedAt: at },
    options.lease,
  );
  event("performed");
  return { status: "performed", result };
}
