import type { Logger } from "pino";
import { ErrorCode, SignalboxError } from "../errors.ts";
import type { PrunableStatus, RunStore } from "../store/types.ts";

/** Automatic pruning: what goes, after how long. Ages are in milliseconds. */
export interface RetentionPolicy {
  /** Settled runs (succeeded, failed, cancelled, compensated) last changed longer ago than this go. */
  readonly olderThanMs?: number;
  /** `signalbox eval` dry-runs go after this (usually much sooner). */
  readonly evalOlderThanMs?: number;
  /** How often to prune (default hourly). */
  readonly everyMs?: number;
}

const SETTLED: PrunableStatus[] = ["succeeded", "failed", "cancelled", "compensated"];
const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };
const HOUR = 3_600_000;

/**
 * `30d`, `12h`, `90m` → milliseconds.
 * @throws SignalboxError CONFIG_INVALID naming `field` and the expected form
 */
export function parseAge(value: string, field = "age"): number {
  const match = /^(\d+)([mhd])$/.exec(value.trim());
  if (match === null)
    throw new SignalboxError(
      ErrorCode.ConfigInvalid,
      `${field}: expected an age such as 30d, 12h or 90m (days, hours, minutes), got "${value}"`,
    );
  return Number(match[1]) * (UNITS[match[2] as string] as number);
}

/** Prunes once by `policy`; returns how many runs went. */
export async function applyRetention(store: RunStore, policy: RetentionPolicy): Promise<number> {
  const before = (age: number) => new Date(Date.now() - age).toISOString();
  let removed = 0;
  if (policy.evalOlderThanMs !== undefined)
    removed += (
      await store.pruneRuns({
        statuses: SETTLED,
        trigger: "eval",
        before: before(policy.evalOlderThanMs),
      })
    ).runs;
  if (policy.olderThanMs !== undefined)
    removed += (await store.pruneRuns({ statuses: SETTLED, before: before(policy.olderThanMs) }))
      .runs;
  return removed;
}

/**
 * Prunes now and then every `policy.everyMs` until the returned stop is called. Each
 * pass is its own batches of transactions; a failed pass is logged and retried next time.
 */
export function startRetention(store: RunStore, policy: RetentionPolicy, logger: Logger) {
  let running: Promise<void> | undefined;
  const pass = () => {
    running ??= applyRetention(store, policy)
      .then((removed) => {
        if (removed > 0) logger.info({ removed }, "retention: pruned runs");
      })
      .catch((error) => logger.warn({ error: String(error) }, "retention: pruning failed"))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(pass, policy.everyMs ?? HOUR);
  timer.unref();
  pass();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
