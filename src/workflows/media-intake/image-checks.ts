import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { ErrorCode, errorMessage, SignalboxError } from "../../errors.ts";
import { loadSharp } from "./load-sharp.ts";

/** Limits an upload must keep. */
export const IMAGE_LIMITS = {
  maxBytes: 25 * 1024 * 1024,
  minSide: 16,
  maxSide: 12_000,
} as const;

/** The image types accepted, by their first bytes (never by the file name). */
export type ImageType = "jpeg" | "png" | "webp" | "gif" | "avif";

/** What validation found: the facts later steps need. */
export interface ValidImage {
  readonly path: string;
  readonly type: ImageType;
  readonly bytes: number;
  readonly width: number;
  readonly height: number;
  /** sha256 of the bytes, first 16 hex digits: the published item's id (same image, same id). */
  readonly contentId: string;
}

const ascii = (buffer: Buffer, start: number, end: number) =>
  buffer.subarray(start, end).toString("latin1");

/** The image type the magic bytes say, if any we accept. */
export function sniffImageType(head: Buffer): ImageType | undefined {
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return "jpeg";
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return "png";
  if (ascii(head, 0, 4) === "RIFF" && ascii(head, 8, 12) === "WEBP") return "webp";
  if (ascii(head, 0, 6) === "GIF87a" || ascii(head, 0, 6) === "GIF89a") return "gif";
  if (ascii(head, 4, 8) === "ftyp" && ["avif", "avis"].includes(ascii(head, 8, 12))) return "avif";
  return undefined;
}

const refuse = (path: string, why: string) =>
  new SignalboxError(ErrorCode.InputInvalid, `${path}: ${why}`, { data: { path } });

/**
 * Checks a file is an image we accept: size, type by magic bytes, dimensions, and
 * that it decodes in full (a truncated or corrupt file fails here, not later).
 * @throws SignalboxError INPUT_INVALID saying what is wrong (never retried)
 */
export async function validateImage(path: string): Promise<ValidImage> {
  const size = await stat(path).catch((error: unknown) => {
    throw refuse(path, `cannot read the file: ${errorMessage(error)}`);
  });
  if (size.size === 0) throw refuse(path, "the file is empty");
  if (size.size > IMAGE_LIMITS.maxBytes)
    throw refuse(path, `${size.size} bytes; at most ${IMAGE_LIMITS.maxBytes} are accepted`);
  const bytes = await readFile(path);
  const type = sniffImageType(bytes.subarray(0, 16));
  if (type === undefined)
    throw refuse(path, "not a JPEG, PNG, WebP, GIF or AVIF image (by its first bytes)");
  const { width, height } = await decode(path, bytes);
  if (
    Math.min(width, height) < IMAGE_LIMITS.minSide ||
    Math.max(width, height) > IMAGE_LIMITS.maxSide
  )
    throw refuse(
      path,
      `${width}×${height} px; sides from ${IMAGE_LIMITS.minSide} to ${IMAGE_LIMITS.maxSide} px are accepted`,
    );
  const contentId = createHash("sha256").update(bytes).digest("hex").slice(0, 16);
  return { path, type, bytes: bytes.length, width, height, contentId };
}

/** Decodes every pixel (`failOn: "warning"`): corrupt data fails with libvips' reason. */
async function decode(path: string, bytes: Buffer): Promise<{ width: number; height: number }> {
  const sharp = await loadSharp();
  try {
    const { info } = await sharp(bytes, { failOn: "warning" })
      .rotate()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height };
  } catch (error) {
    throw refuse(path, `the image is corrupt or truncated: ${errorMessage(error).split("\n")[0]}`);
  }
}
