import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { type RunResult, renderRunResult } from "../analytics/run-result.ts";
import { errorMessage, isSignalboxError } from "../errors.ts";

const FAILED_STATUSES: ReadonlySet<string> = new Set(["failed", "compensated"]);

/**
 * A run as a tool result: structured content plus its text rendering.
 * With `failedRunIsError`, a run that failed is reported as a tool error
 * (the structured content still says why).
 */
export function runToolResult(result: RunResult, failedRunIsError = false): CallToolResult {
  const isError = failedRunIsError && FAILED_STATUSES.has(result.status);
  return {
    content: [{ type: "text", text: renderRunResult(result) }],
    structuredContent: result,
    ...(isError ? { isError: true } : {}),
  };
}

/** Any failure as a tool error the model can read and react to: code, then what went wrong. */
export function toolError(error: unknown): CallToolResult {
  const text = isSignalboxError(error)
    ? `${error.code}: ${error.message}`
    : `error: ${errorMessage(error)}`;
  return { content: [{ type: "text", text }], isError: true };
}
