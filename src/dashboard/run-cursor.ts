import { z } from "zod";
import { ErrorCode, SignalboxError } from "../errors.ts";
import type { RunCursor } from "../store/types.ts";

const CursorTuple = z.tuple([z.iso.datetime(), z.string().min(1)]);

/** An opaque page token for the run after which the next page starts. */
export function encodeRunCursor(cursor: RunCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString("base64url");
}

/**
 * Reads a page token made by {@link encodeRunCursor}.
 * @throws SignalboxError INPUT_INVALID naming `cursor`
 */
export function decodeRunCursor(token: string): RunCursor {
  try {
    const [createdAt, id] = CursorTuple.parse(
      JSON.parse(Buffer.from(token, "base64url").toString("utf8")),
    );
    return { createdAt, id };
  } catch (error) {
    throw new SignalboxError(
      ErrorCode.InputInvalid,
      "cursor: expected the nextCursor of a previous page, unchanged",
      { cause: error, data: { parameter: "cursor" } },
    );
  }
}
