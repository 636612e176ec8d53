import { mkdir, rename, stat } from "node:fs/promises";
import { join } from "node:path";
import { loadSharp } from "./load-sharp.ts";

/** The widths made for the web, largest first; none wider than the original. */
export const VARIANT_WIDTHS = [1600, 800, 320] as const;
export const VARIANT_FORMATS = ["webp", "avif"] as const;

/** One web variant, as written to the staging folder. */
export interface Variant {
  readonly file: string;
  readonly format: (typeof VARIANT_FORMATS)[number];
  readonly width: number;
  readonly height: number;
  readonly bytes: number;
}

/** The widths to make for an image `width` px wide (at least one: its own width when smaller than all). */
export function variantWidths(width: number): number[] {
  const fitting = VARIANT_WIDTHS.filter((candidate) => candidate <= width);
  return fitting.length > 0 ? fitting : [width];
}

/**
 * Writes the web variants of `path` into `folder`, named by `contentId`, width and
 * format: EXIF orientation applied, then every metadata block (EXIF, GPS, XMP, ICC
 * profile, comments) left out, as sharp does unless asked to keep it. Each file is
 * written under a temporary name and renamed, so a crash never leaves half a variant.
 * Writing the same image again rewrites the same files.
 */
export async function makeVariants(
  path: string,
  options: { readonly width: number; readonly contentId: string; readonly folder: string },
): Promise<Variant[]> {
  await mkdir(options.folder, { recursive: true });
  const sharp = await loadSharp();
  const variants: Variant[] = [];
  for (const width of variantWidths(options.width))
    for (const format of VARIANT_FORMATS) {
      const file = `${options.contentId}-${width}.${format}`;
      const target = join(options.folder, file);
      const pipeline = sharp(path).rotate().resize({ width, withoutEnlargement: true });
      const encoded =
        format === "webp"
          ? pipeline.webp({ quality: 80 })
          : pipeline.avif({ quality: 50, effort: 2 });
      const info = await encoded.toFile(`${target}.partial`);
      await rename(`${target}.partial`, target);
      variants.push({
        file,
        format,
        width: info.width,
        height: info.height,
        bytes: (await stat(target)).size,
      });
    }
  return variants;
}
