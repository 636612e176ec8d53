import { SignalboxError } from "../../src/errors.ts";
import type { RunStore } from "../../src/store/types.ts";
import { seeded } from "../support/seeded.ts";

/** The kinds of fault a chaos worker injects into itself (SIGKILLs and dropped connections come from outside). */
export const FAULT_KINDS = ["tool_error", "tool_timeout", "store_busy", "lease_lost"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/**
 * Decides, from a seed, when this process injects a fault, and reports each one on
 * stderr as `chaos-fault <kind> <where>` so the orchestrator can count them, even
 * for a process it later SIGKILLs.
 */
export class FaultPlan {
  private readonly random: () => number;

  constructor(
    seed: number,
    private readonly rates: Readonly<Record<FaultKind, number>>,
  ) {
    this.random = seeded(seed);
  }

  /** True when a fault of `kind` happens here (and it has been reported). */
  strike(kind: FaultKind, where: string): boolean {
    if (this.random() >= this.rates[kind]) return false;
    process.stderr.write(`chaos-fault ${kind} ${where}\n`);
    return true;
  }
}

/** No faults at all: the clean workers that drain what chaos left. */
export const NO_FAULTS: Readonly<Record<FaultKind, number>> = {
  tool_error: 0,
  tool_timeout: 0,
  store_busy: 0,
  lease_lost: 0,
};

/** Store writes a busy error may hit, before the write happens (the store's own retry gave up). */
const BUSY_PRONE = new Set([
  "claimRun",
  "settleRun",
  "recordDecision",
  "claimEffect",
  "putEffect",
  "createApproval",
  "appendEvents",
  "requeueExpired",
  "expireApprovals",
]);

/**
 * The store, with faults: a write may fail as busy before it reaches the database, and a
 * lease renewal may answer "not yours any more", so the driver stops with LEASE_LOST
 * (the run is swept back once the lease runs out). Everything else passes through.
 */
export function faultyStore(store: RunStore, plan: FaultPlan): RunStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== "function") return value;
      const name = String(property);
      const call = (value as (...args: unknown[]) => unknown).bind(target);
      if (name === "renewLease")
        return async (...args: unknown[]) =>
          plan.strike("lease_lost", name) ? false : call(...args);
      if (!BUSY_PRONE.has(name)) return call;
      return async (...args: unknown[]) => {
        if (plan.strike("store_busy", name))
          throw new SignalboxError("STORE_ERROR", `database is locked (injected busy in ${name})`, {
            retryable: true,
            data: { injected: true },
          });
        return call(...args);
      };
    },
  });
}
