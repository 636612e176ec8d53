/**
 * Checks for environment variables: each takes the variable's text (never empty: an
 * empty variable counts as unset) and returns its value or what was expected.
 *
 * The CLI checks its environment with these instead of zod: importing zod costs as much
 * CPU as starting node (95 modules, 62 of them locales), and `signalbox runs` and
 * `signalbox show` must start in under half a bare LangGraph import (issue 10,
 * docs/decisions/2026-11-30-cli-environment-without-zod.md). The messages are zod's, so
 * the errors read as before.
 */

/** A variable's value, or the messages saying what was expected. */
export type CheckResult<T> = { readonly value: T } | { readonly messages: readonly string[] };

/** Turns a variable's text into its value or says what was expected. */
export type Check<T> = (text: string) => CheckResult<T>;

/** Any non-empty text. */
export const anyText: Check<string> = (text) => ({ value: text });

/** One of `options`, exactly. */
export function oneOf<const T extends string>(
  options: readonly T[],
  message = `Invalid option: expected one of ${options.map((option) => `"${option}"`).join("|")}`,
): Check<T> {
  return (text) =>
    (options as readonly string[]).includes(text) ? { value: text as T } : { messages: [message] };
}

/** Text matching `pattern`. */
export function matching(pattern: RegExp, message: string): Check<string> {
  return (text) => (pattern.test(text) ? { value: text } : { messages: [message] });
}

/**
 * A URL `new URL()` accepts; like zod's `z.url()`, the value is trimmed and loses the
 * tabs and line breaks the URL parser would drop.
 */
export function url(message: string): Check<string> {
  return (text) => {
    const trimmed = text.trim();
    return URL.canParse(trimmed)
      ? { value: trimmed.replace(/[\t\n\r]/g, "") }
      : { messages: [message] };
  };
}

/**
 * A whole number of at least `minimum` (`exclusive`: above it), read as `Number(text)`
 * reads it, as zod's `z.coerce.number().int()` does.
 */
export function wholeNumber(options: {
  readonly minimum: number;
  readonly exclusive?: boolean;
  readonly message?: string;
}): Check<number> {
  const { minimum, exclusive = false } = options;
  const tooSmall =
    options.message ?? `Too small: expected number to be ${exclusive ? ">" : ">="}${minimum}`;
  return (text) => {
    const value = Number(text);
    if (!Number.isFinite(value))
      return { messages: [`Invalid input: expected number, received ${value}`] };
    if (!Number.isInteger(value))
      return { messages: ["Invalid input: expected int, received number"] };
    if (value > Number.MAX_SAFE_INTEGER)
      return { messages: [`Too big: expected int to be <=${Number.MAX_SAFE_INTEGER}`] };
    // Below the safe range zod reports both, the minimum being above it.
    if (value < Number.MIN_SAFE_INTEGER)
      return { messages: [`Too small: expected int to be >=${Number.MIN_SAFE_INTEGER}`, tooSmall] };
    if (exclusive ? value <= minimum : value < minimum) return { messages: [tooSmall] };
    return { value };
  };
}
