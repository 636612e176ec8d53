import { InvalidArgumentError } from "commander";

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Parses `--since`: an age like `30m`, `12h`, `7d`, `2w` (counted back from now),
 * or an ISO date or time; returns the ISO time.
 */
export function parseSince(value: string, now = Date.now()): string {
  const age = /^(\d+)([mhdw])$/.exec(value.trim());
  if (age !== null)
    return new Date(now - Number(age[1]) * (UNITS[age[2] ?? "d"] ?? 0)).toISOString();
  const time = Date.parse(value);
  if (Number.isNaN(time))
    throw new InvalidArgumentError("expected an age like 30m, 12h, 7d, 2w, or an ISO date or time");
  return new Date(time).toISOString();
}

/** Parses a probability-like option in [0, 1]. */
export function parseShare(value: string): number {
  const number = Number(value);
  if (value.trim() === "" || !Number.isFinite(number) || number < 0 || number > 1)
    throw new InvalidArgumentError("expected a number from 0 to 1");
  return number;
}
