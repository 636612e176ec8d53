import { ErrorCode, SignalboxError } from "../errors.ts";
import type { Lease } from "./types.ts";

/** The error every fenced write throws when its driver no longer holds the run. */
export function leaseLost(lease: Lease): SignalboxError {
  return new SignalboxError(
    ErrorCode.LeaseLost,
    `run ${lease.runId} is no longer held by ${lease.owner} at epoch ${lease.epoch}: another worker claimed it or it was cancelled; this driver stops without writing`,
    { data: { runId: lease.runId, owner: lease.owner, epoch: lease.epoch } },
  );
}
