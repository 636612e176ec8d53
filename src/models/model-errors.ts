/** What went wrong with a model call, as far as retrying is concerned. */
export interface ModelFault {
  readonly kind:
    | "rate_limit"
    | "server"
    | "timeout"
    | "connection"
    | "rejected"
    | "malformed"
    | "other";
  readonly retryable: boolean;
  /** From a `Retry-After` header, when the server sent one. */
  readonly retryAfterMs?: number;
  readonly status?: number;
  readonly message: string;
}

function header(error: object, name: string): string | undefined {
  const headers = (error as { headers?: unknown }).headers;
  if (headers === undefined || headers === null) return undefined;
  if (typeof (headers as Headers).get === "function")
    return (headers as Headers).get(name) ?? undefined;
  const value = (headers as Record<string, unknown>)[name];
  return typeof value === "string" ? value : undefined;
}

/** Reads `Retry-After` as seconds or an HTTP date. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

/**
 * Classifies an error thrown by a chat model call: 429 (with its Retry-After),
 * 5xx, timeouts and connection resets are worth retrying; 4xx rejections and
 * malformed replies are not (a rejection may still mean "try the other method").
 */
export function classifyModelError(error: unknown): ModelFault {
  const message = error instanceof Error ? error.message : String(error);
  if (typeof error !== "object" || error === null)
    return { kind: "other", retryable: false, message };
  const status = (error as { status?: unknown }).status;
  const name = (error as { name?: unknown }).name;
  const code =
    (error as { code?: unknown }).code ?? (error as { cause?: { code?: unknown } }).cause?.code;
  if (status === 429)
    return {
      kind: "rate_limit",
      retryable: true,
      status,
      retryAfterMs: retryAfterMs(header(error, "retry-after")),
      message,
    };
  if (typeof status === "number" && status >= 500)
    return { kind: "server", retryable: true, status, message };
  if (typeof status === "number" && status >= 400)
    return { kind: "rejected", retryable: false, status, message };
  if (name === "TimeoutError" || /timed? ?out/i.test(message))
    return { kind: "timeout", retryable: true, message };
  if (
    code === "ECONNRESET" ||
    code === "ECONNREFUSED" ||
    /connection error|socket hang up|ECONNRESET/i.test(message)
  ) {
    return { kind: "connection", retryable: true, message };
  }
  if (error instanceof SyntaxError || /JSON/i.test(message))
    return { kind: "malformed", retryable: true, message };
  return { kind: "other", retryable: false, message };
}
