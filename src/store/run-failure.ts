import { z } from "zod";
import { ErrorCode } from "../errors.ts";
import type { RunFailure } from "./types.ts";

const RunFailureRecord = z.object({
  code: z.string(),
  message: z.string(),
  node: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});

/**
 * Reads a stored failure back (JSON text, or null for runs that never failed or were
 * stored before the column existed). A value that is not a failure record reads as null
 * rather than failing every listing that touches the run.
 */
export function readRunFailure(value: unknown): RunFailure | null {
  if (value === null || value === undefined) return null;
  try {
    const parsed = RunFailureRecord.safeParse(
      typeof value === "string" ? JSON.parse(value) : value,
    );
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The failure a cancelled run stores: the reason, no node. */
export function cancelledFailure(reason: string): RunFailure {
  return { code: ErrorCode.Cancelled, message: reason, node: null, details: {} };
}
