import { ErrorCode } from "../errors.ts";
import type { RunFailure } from "./types.ts";

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The failure record in `value`, or null. A plain check rather than a zod schema: this
 * reads back what the store itself wrote, and `signalbox runs` and `show` load no zod
 * (issue 10: zod alone costs as much CPU as starting node).
 */
function toFailureRecord(value: unknown): RunFailure | null {
  if (!isRecord(value) || !isRecord(value.details)) return null;
  const { code, message, node, details } = value;
  if (typeof code !== "string" || typeof message !== "string") return null;
  if (node !== null && typeof node !== "string") return null;
  return { code, message, node, details: { ...details } };
}

/**
 * Reads a stored failure back (JSON text, or null for runs that never failed or were
 * stored before the column existed). A value that is not a failure record reads as null
 * rather than failing every listing that touches the run.
 */
export function readRunFailure(value: unknown): RunFailure | null {
  if (value === null || value === undefined) return null;
  try {
    return toFailureRecord(typeof value === "string" ? JSON.parse(value) : value);
  } catch {
    return null;
  }
}

/** The failure a cancelled run stores: the reason, no node. */
export function cancelledFailure(reason: string): RunFailure {
  return { code: ErrorCode.Cancelled, message: reason, node: null, details: {} };
}
