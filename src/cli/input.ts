import { readFileSync } from "node:fs";
import { ErrorCode, SignalboxError } from "../errors.ts";

/** Everything a stream gives until it ends, as text. */
async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString("utf8");
}

function readSource(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    throw new SignalboxError(ErrorCode.InputInvalid, `--input: cannot read file "${path}"`);
  }
}

/**
 * The value of `--input`: JSON text, `@path/to/file.json`, or `@-` for standard input.
 * @throws SignalboxError INPUT_INVALID saying what was expected
 */
export async function parseInput(text: string, stdin: NodeJS.ReadableStream): Promise<unknown> {
  const source =
    text === "@-" ? await readAll(stdin) : text.startsWith("@") ? readSource(text.slice(1)) : text;
  try {
    return JSON.parse(source) as unknown;
  } catch (error) {
    throw new SignalboxError(
      ErrorCode.InputInvalid,
      `--input${text === "@-" ? " (standard input)" : ""} is not valid JSON (${(error as Error).message}); pass a JSON object, @path/to/file.json or @- for standard input`,
    );
  }
}
