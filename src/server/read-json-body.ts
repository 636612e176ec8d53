import type { IncomingMessage } from "node:http";

/** What reading a request body gave. */
export type JsonBody =
  | { readonly kind: "json"; readonly value: unknown }
  | { readonly kind: "too-large" }
  | { readonly kind: "invalid"; readonly message: string }
  | { readonly kind: "aborted" };

/** Past this many times the limit we stop draining an oversized body and drop the connection. */
const DRAIN_FACTOR = 16;

function parse(chunks: readonly Buffer[]): JsonBody {
  try {
    return { kind: "json", value: JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown };
  } catch (error) {
    return { kind: "invalid", message: `the body is not valid JSON: ${(error as Error).message}` };
  }
}

/**
 * Reads and parses a JSON request body of at most `maxBytes`. A larger body is
 * not kept: it is drained and discarded (so the client, still uploading, can read
 * the 413 the caller answers), and past {@link DRAIN_FACTOR} times the limit the
 * connection is dropped.
 */
export async function readJsonBody(request: IncomingMessage, maxBytes: number): Promise<JsonBody> {
  const body = await readRawBody(request, maxBytes);
  return body.kind === "raw" ? parse([body.bytes]) : body;
}

/** What reading a request body as bytes gave. */
export type RawBody =
  | { readonly kind: "raw"; readonly bytes: Buffer }
  | { readonly kind: "too-large" }
  | { readonly kind: "aborted" };

/**
 * Reads a request body of at most `maxBytes` as bytes (webhook signatures are over
 * the exact bytes); oversized bodies are handled as by {@link readJsonBody}.
 */
export function readRawBody(request: IncomingMessage, maxBytes: number): Promise<RawBody> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number(request.headers["content-length"] ?? 0) > maxBytes;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) tooLarge = true;
      if (tooLarge) chunks.length = 0;
      else chunks.push(chunk);
      if (size > maxBytes * DRAIN_FACTOR) request.destroy();
    });
    request.once("end", () =>
      resolve(tooLarge ? { kind: "too-large" } : { kind: "raw", bytes: Buffer.concat(chunks) }),
    );
    request.once("close", () => resolve({ kind: "aborted" }));
    request.once("error", () => resolve({ kind: "aborted" }));
  });
}
