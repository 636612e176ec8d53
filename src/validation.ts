import type { z } from "zod";
import { type ErrorCode, SignalboxError } from "./errors.ts";

/**
 * Renders zod issues as "field: expected …" lines, so every boundary reports
 * which field is wrong and what was expected.
 */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const path = issue.path.length === 0 ? "(root)" : issue.path.map(String).join(".");
      return `${path}: ${issue.message}`;
    })
    .join("; ");
}

/**
 * Parses `value` with `schema`, throwing a {@link SignalboxError} that names
 * each bad field when it does not fit.
 */
export function parseWith<T>(
  schema: z.ZodType<T>,
  value: unknown,
  code: ErrorCode,
  what: string,
): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new SignalboxError(code, `${what} is invalid: ${describeIssues(result.error.issues)}`, {
    data: { issues: result.error.issues },
  });
}
