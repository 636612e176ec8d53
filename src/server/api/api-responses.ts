import type { ServerResponse } from "node:http";
import type { Logger } from "pino";
import { ErrorCode, errorMessage, SignalboxError } from "../../errors.ts";
import { sendJson } from "../http-responses.ts";

/** The error body of every `/api/` endpoint; `parameter` names the bad query parameter or body field. */
export interface ApiErrorBody {
  readonly error: { readonly message: string; readonly code: string; readonly parameter?: string };
}

const STATUS_OF: Partial<Record<string, number>> = {
  [ErrorCode.InputInvalid]: 400,
  [ErrorCode.RunNotFound]: 404,
  [ErrorCode.WorkflowNotFound]: 404,
  [ErrorCode.InvalidTransition]: 409,
  [ErrorCode.VersionUnavailable]: 409,
};

/** Answers an API error with its status and a JSON body. */
export function sendApiError(
  response: ServerResponse,
  status: number,
  message: string,
  extra: { code?: string; parameter?: string; headers?: Record<string, string> } = {},
): void {
  const body: ApiErrorBody = {
    error: {
      message,
      code: extra.code ?? (status === 404 ? "NOT_FOUND" : `HTTP_${status}`),
      ...(extra.parameter === undefined ? {} : { parameter: extra.parameter }),
    },
  };
  sendJson(response, status, body, extra.headers);
}

/** Answers a thrown error: our own by its code (400, 404, 409), anything else 500 and logged. */
export function sendThrown(response: ServerResponse, error: unknown, logger: Logger): void {
  if (error instanceof SignalboxError) {
    const status = STATUS_OF[error.code];
    if (status !== undefined) {
      const data = error.data as { parameter?: unknown } | undefined;
      const parameter = typeof data?.parameter === "string" ? data.parameter : undefined;
      sendApiError(response, status, error.message, { code: error.code, parameter });
      return;
    }
  }
  logger.error({ error: errorMessage(error) }, "dashboard API request failed");
  sendApiError(response, 500, "internal error", { code: "INTERNAL" });
}
