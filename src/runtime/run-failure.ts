import { GraphRecursionError, isNodeTimeoutError } from "@langchain/langgraph";
import { ErrorCode, isSignalboxError } from "../errors.ts";
import { failedNodeOf } from "../graph/node-failure.ts";
import type { RunFailure } from "../store/types.ts";

/**
 * Turns what ended a run into the structured record the store keeps: signalbox's own
 * errors keep their code and data; the step limit is `STEP_LIMIT`; anything else a
 * node threw is `STEP_FAILED` with the error's name (and its own `code`, if it had one).
 */
export function toRunFailure(error: unknown, options: { readonly maxSteps: number }): RunFailure {
  const node = failedNodeOf(error);
  if (error instanceof GraphRecursionError)
    return {
      code: ErrorCode.StepLimit,
      message: `the run exceeded its hard limit of ${options.maxSteps} steps (maxSteps); a loop in the graph may not terminate`,
      node,
      details: { maxSteps: options.maxSteps },
    };
  if (isSignalboxError(error))
    return { code: error.code, message: error.message, node, details: jsonSafe(error.data) };
  if (isNodeTimeoutError(error))
    return {
      code: ErrorCode.StepFailed,
      message: error.message,
      node,
      details: { name: "NodeTimeoutError", kind: error.kind, timeoutMs: error.timeout },
    };
  if (error instanceof Error) {
    const own = (error as { code?: unknown }).code;
    return {
      code: ErrorCode.StepFailed,
      message: error.message,
      node,
      details: { name: error.name, ...(typeof own === "string" ? { code: own } : {}) },
    };
  }
  return { code: ErrorCode.StepFailed, message: String(error), node, details: {} };
}

/** The message kept in the run's `error` text (the code first for signalbox's own errors). */
export function failureText(failure: RunFailure, error: unknown): string {
  return isSignalboxError(error) ? `${failure.code}: ${failure.message}` : failure.message;
}

/** Data that survives JSON (a cause chain or a cycle must not stop the run from settling). */
function jsonSafe(data: Readonly<Record<string, unknown>>): Record<string, unknown> {
  try {
    const copy: unknown = JSON.parse(JSON.stringify(data));
    return typeof copy === "object" && copy !== null && !Array.isArray(copy)
      ? (copy as Record<string, unknown>)
      : {};
  } catch {
    return { unserializable: true };
  }
}
