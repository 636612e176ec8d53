import { Cron } from "croner";
import type { Logger } from "pino";
import { ErrorCode, errorMessage, SignalboxError } from "../errors.ts";
import type { Runtime } from "../runtime/runtime.ts";
import type { ScheduleFire, ScheduleTrigger } from "./trigger-config.ts";

/** Longest single wait; longer ones are split so a far fire time never overflows a timer. */
const MAX_WAIT_MS = 60 * 60_000;
/** How far back a catch-up looks for the latest missed fire (fire times, not ms). */
const CATCH_UP_SCAN = 100_000;

/** A schedule with its next fire time, for `signalbox schedules`. */
export interface ScheduleInfo {
  readonly name: string;
  readonly workflow: string;
  readonly cron: string;
  readonly timezone: string;
  readonly missed: "skip" | "catch-up";
  /** ISO, or null when the expression never fires again. */
  readonly nextFire: string | null;
  /** The latest fire time that started a run, from the store. */
  readonly lastFire: string | null;
}

/**
 * Parses a schedule's cron expression in its time zone.
 * @throws SignalboxError CONFIG_INVALID naming the schedule and what is wrong
 */
export function compileSchedule(schedule: ScheduleTrigger): Cron {
  try {
    return new Cron(schedule.cron, { timezone: schedule.timezone ?? "UTC", paused: true });
  } catch (error) {
    throw new SignalboxError(
      ErrorCode.ConfigInvalid,
      `schedule "${schedule.name}": cron "${schedule.cron}"${schedule.timezone ? ` in ${schedule.timezone}` : ""} is invalid: ${errorMessage(error)}`,
    );
  }
}

/** Each schedule, its next fire (from `now`) and its last fire as recorded in the store. */
export async function describeSchedules(
  runtime: Runtime,
  schedules: readonly ScheduleTrigger[],
  now = new Date(),
): Promise<ScheduleInfo[]> {
  return Promise.all(
    schedules.map(async (schedule) => ({
      name: schedule.name,
      workflow: schedule.workflow,
      cron: schedule.cron,
      timezone: schedule.timezone ?? "UTC",
      missed: schedule.missed ?? "skip",
      nextFire: compileSchedule(schedule).nextRun(now)?.toISOString() ?? null,
      lastFire: (await runtime.store.lastTriggerStart("schedule", schedule.name))?.key ?? null,
    })),
  );
}

/** The latest fire time after `after` and at or before `now`, if the schedule had one. */
function latestMissed(cron: Cron, after: Date, now: Date): Date | undefined {
  let latest: Date | undefined;
  let next = cron.nextRun(after);
  for (let scanned = 0; next !== null && next <= now && scanned < CATCH_UP_SCAN; scanned += 1) {
    latest = next;
    next = cron.nextRun(next);
  }
  return latest;
}

function inputFor(schedule: ScheduleTrigger, fire: ScheduleFire): unknown {
  const { input } = schedule;
  return typeof input === "function"
    ? (input as (fire: ScheduleFire) => unknown)(fire)
    : (input ?? {});
}

/**
 * Runs schedules in this process: at each fire time, a run keyed by schedule and fire
 * time. Every process running the same schedules tries to start the same keys, and
 * the store lets exactly one start per key (one transaction with the run), so any
 * number of `serve` and `worker` processes give exactly one run per fire time.
 */
export class ScheduleRunner {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopped = false;
  /** How far the runner's `now` (given to `start`) is from the machine clock; 0 in production. */
  private skewMs = 0;

  constructor(
    private readonly runtime: Runtime,
    private readonly schedules: readonly ScheduleTrigger[],
    private readonly logger: Logger = runtime.logger,
  ) {
    for (const schedule of schedules) {
      compileSchedule(schedule);
      runtime.workflow(schedule.workflow);
    }
  }

  /**
   * Catches up missed fires (where asked), then arms a timer per schedule. `now` is the
   * runner's clock from then on: timers wait for fire times by it, not by the machine's.
   */
  async start(now = new Date()): Promise<void> {
    this.skewMs = now.getTime() - Date.now();
    for (const schedule of this.schedules) {
      const cron = compileSchedule(schedule);
      if (schedule.missed === "catch-up") await this.catchUp(schedule, cron, now);
      this.arm(schedule, cron, cron.nextRun(now));
    }
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** One run for the latest fire missed since the last recorded one (none before the first). */
  private async catchUp(schedule: ScheduleTrigger, cron: Cron, now: Date): Promise<void> {
    const last = await this.runtime.store.lastTriggerStart("schedule", schedule.name);
    if (last === undefined) return;
    const missed = latestMissed(cron, new Date(last.key), now);
    if (missed !== undefined) await this.fire(schedule, missed, true);
  }

  private arm(schedule: ScheduleTrigger, cron: Cron, next: Date | null): void {
    if (next === null || this.stopped) return;
    const wait = next.getTime() - (Date.now() + this.skewMs);
    const timer = setTimeout(
      () => {
        if (wait > MAX_WAIT_MS) return this.arm(schedule, cron, next);
        void this.fire(schedule, next, false).finally(() =>
          this.arm(schedule, cron, cron.nextRun(next)),
        );
      },
      Math.max(0, Math.min(wait, MAX_WAIT_MS)),
    );
    this.timers.set(schedule.name, timer);
  }

  private async fire(schedule: ScheduleTrigger, at: Date, catchUp: boolean): Promise<void> {
    const fireTime = at.toISOString();
    try {
      const fire = { name: schedule.name, fireTime, catchUp };
      const { run, created } = await this.runtime.startOnce(
        schedule.workflow,
        inputFor(schedule, fire),
        { kind: "schedule", name: schedule.name, key: fireTime, details: { fireTime, catchUp } },
      );
      // Every process fires; the store lets one of them start the run.
      this.logger.info(
        { schedule: schedule.name, fireTime, runId: run.id, catchUp, started: created },
        created ? "schedule fired: run started" : "schedule fired: run started elsewhere",
      );
    } catch (error) {
      this.logger.error(
        { schedule: schedule.name, fireTime, error: errorMessage(error) },
        "schedule could not start its run",
      );
    }
  }
}
