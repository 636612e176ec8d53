import { ErrorCode, SignalboxError } from "../errors.ts";

/** The largest input a workflow accepts by default, as UTF-8 JSON: 256 KiB. */
export const DEFAULT_MAX_INPUT_BYTES = 256 * 1024;

const jsonBytes = (value: unknown): number | undefined => {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? undefined : Buffer.byteLength(text, "utf8");
  } catch {
    return undefined;
  }
};

/** "10.0 MiB", "256 KiB", "812 bytes". */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${bytes} bytes`;
}

/**
 * The field that makes a value big: descend into the largest child while it holds
 * more than half of its parent's bytes (so a long list of small items is named as
 * the list, not as one of its items).
 */
function largestField(value: unknown, bytes: number): { path: string[]; bytes: number } {
  const path: string[] = [];
  let current = value;
  let size = bytes;
  for (let depth = 0; depth < 64 && typeof current === "object" && current !== null; depth++) {
    let best: { key: string; value: unknown; bytes: number } | undefined;
    for (const [key, child] of Object.entries(current)) {
      const childBytes = jsonBytes(child) ?? 0;
      if (best === undefined || childBytes > best.bytes)
        best = { key, value: child, bytes: childBytes };
    }
    if (best === undefined || best.bytes * 2 <= size) break;
    path.push(best.key);
    current = best.value;
    size = best.bytes;
  }
  return { path, bytes: size };
}

/**
 * Refuses an input larger than `limit` bytes as JSON before anything parses or
 * stores it (the input is copied into every checkpoint of the run: issue #11 saw a
 * 10 MB field write 113 MB). Values JSON cannot express are left to the schema.
 *
 * @throws SignalboxError INPUT_INVALID naming the size, the limit and the biggest field
 */
export function assertInputSize(value: unknown, limit: number, what: string): void {
  const bytes = jsonBytes(value);
  if (bytes === undefined || bytes <= limit) return;
  const field = largestField(value, bytes);
  const name = field.path.length > 0 ? field.path.join(".") : "(root)";
  const where = field.path.length > 0 ? `; field ${name} alone is ${formatBytes(field.bytes)}` : "";
  throw new SignalboxError(
    ErrorCode.InputInvalid,
    `${what} is too large: ${formatBytes(bytes)} as JSON, the limit is ${formatBytes(limit)}${where}`,
    {
      data: {
        field: name,
        bytes,
        limitBytes: limit,
        issues: [
          { code: "too_big", path: field.path, message: `larger than ${formatBytes(limit)}` },
        ],
      },
    },
  );
}
