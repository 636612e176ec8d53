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
  /**
   * The connection was reset or closed under the request (ECONNRESET, "socket hang up",
   * "other side closed"), as opposed to refused: what a pooled keep-alive socket the server
   * had already closed looks like.
   */
  readonly reset?: boolean;
}

const RESET_CODES = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET"]);

/** The error codes down the `cause` chain (the OpenAI client wraps fetch's, which wraps the socket's). */
function codesOf(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") codes.push(code);
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
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
  const codes = codesOf(error);
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
  const reset =
    codes.some((code) => RESET_CODES.has(code)) ||
    /socket hang up|other side closed|ECONNRESET/i.test(message);
  if (reset) return { kind: "connection", retryable: true, message, reset };
  if (codes.includes("ECONNREFUSED") || /connection error/i.test(message))
    return { kind: "connection", retryable: true, message };
  if (error instanceof SyntaxError || /JSON/i.test(message))
    return { kind: "malformed", retryable: true, message };
  return { kind: "other", retryable: false, message };
}
