import { basename, extname } from "node:path";
import { loadSharp } from "./load-sharp.ts";

/** Tags found offline, from the caption, the file name and the pixels. */
export interface ImageTags {
  readonly orientation: "landscape" | "portrait" | "square";
  /** The dominant colour as hex and its nearest name. */
  readonly dominantColour: { readonly hex: string; readonly name: string };
  /** Mean luminance, 0 (black) to 1 (white). */
  readonly brightness: number;
  readonly brightnessLabel: "dark" | "medium" | "bright";
  /** Standard deviation of luminance, 0 to 1: near 0 means a blank image. */
  readonly contrast: number;
  /** Every tag, sorted: words of the caption and file name, orientation, colour, brightness. */
  readonly tags: readonly string[];
}

const COLOUR_NAMES: readonly [string, number, number, number][] = [
  ["black", 0, 0, 0],
  ["white", 255, 255, 255],
  ["grey", 128, 128, 128],
  ["red", 200, 30, 30],
  ["orange", 240, 140, 30],
  ["yellow", 240, 220, 40],
  ["green", 40, 160, 60],
  ["teal", 30, 150, 150],
  ["blue", 40, 80, 200],
  ["purple", 130, 50, 170],
  ["pink", 240, 130, 180],
  ["brown", 120, 80, 40],
];

/** The nearest named colour (Euclidean in RGB: plenty for a tag). */
export function colourName(red: number, green: number, blue: number): string {
  let best = "grey";
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const [name, r, g, b] of COLOUR_NAMES) {
    const distance = (red - r) ** 2 + (green - g) ** 2 + (blue - b) ** 2;
    if (distance < bestDistance) [best, bestDistance] = [name, distance];
  }
  return best;
}

const STOP_WORDS = new Set([
  "a",
  "an",
  "the",
  "of",
  "on",
  "in",
  "at",
  "and",
  "with",
  "for",
  "to",
  "img",
  "dsc",
]);

/** Lower-case words of three letters or more, no stop words or numbers. */
export function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter((word) => word.length >= 3 && !STOP_WORDS.has(word));
}

const hex = (value: number) => Math.round(value).toString(16).padStart(2, "0");

/** Tags an image from its pixels (sharp's statistics), its caption and its file name. */
export async function tagImage(
  path: string,
  size: { width: number; height: number },
  caption: string | undefined,
): Promise<ImageTags> {
  const sharp = await loadSharp();
  const stats = await sharp(path).rotate().stats();
  const { r, g, b } = stats.dominant;
  const grey = await sharp(path).rotate().greyscale().stats();
  const luminance = grey.channels[0];
  const brightness = Number(((luminance?.mean ?? 0) / 255).toFixed(3));
  const contrast = Number(((luminance?.stdev ?? 0) / 255).toFixed(3));
  const orientation =
    size.width === size.height ? "square" : size.width > size.height ? "landscape" : "portrait";
  const brightnessLabel = brightness < 0.3 ? "dark" : brightness > 0.7 ? "bright" : "medium";
  const name = colourName(r, g, b);
  const fileWords = words(basename(path, extname(path)).replace(/^\d+-[0-9a-f]{8}--/, ""));
  const tags = new Set([...words(caption ?? ""), ...fileWords, orientation, name, brightnessLabel]);
  return {
    orientation,
    dominantColour: { hex: `#${hex(r)}${hex(g)}${hex(b)}`, name },
    brightness,
    brightnessLabel,
    contrast,
    tags: [...tags].sort(),
  };
}
