import { appendFile, copyFile, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Variant } from "./variants.ts";

/** The JSON manifest published beside the variants. */
export interface Manifest {
  readonly id: string;
  readonly source: {
    readonly name: string;
    readonly type: string;
    readonly width: number;
    readonly height: number;
  };
  readonly caption: string | null;
  readonly tags: readonly string[];
  readonly moderation: {
    readonly branch: string;
    readonly reason: string;
    readonly decidedBy: string;
  };
  readonly variants: readonly Variant[];
  readonly runId: string;
  /** The publish effect's idempotency key: which effect placed the item (and may undo it). */
  readonly key: string;
}

/** Where an item is (or would be) published, and its files. */
export interface Placement {
  readonly folder: string;
  readonly files: readonly string[];
}

export const MANIFEST_FILE = "manifest.json";
/** One line per item actually placed: how tests and people see that publishing happened once. */
export const PUBLISH_LOG = "publish-log.jsonl";

/** The folder and files publishing `manifest` places, without placing anything (dry-run). */
export function plannedPlacement(
  publishDir: string,
  manifest: Pick<Manifest, "id" | "variants">,
): Placement {
  return {
    folder: join(publishDir, manifest.id),
    files: [...manifest.variants.map((variant) => variant.file), MANIFEST_FILE],
  };
}

const exists = (path: string) =>
  readFile(path).then(
    () => true,
    () => false,
  );

/**
 * Places the variants and the manifest in `<publishDir>/<id>/`, idempotently: the item
 * is assembled in a temporary folder and renamed into place in one step, so a reader
 * never sees half an item; when the item is there already (this effect ran before a
 * crash, or another run published the same image) nothing is written again.
 */
export async function publishItem(options: {
  readonly publishDir: string;
  readonly stagingFolder: string;
  readonly manifest: Manifest;
}): Promise<Placement & { readonly placed: boolean }> {
  const { publishDir, stagingFolder, manifest } = options;
  const placement = plannedPlacement(publishDir, manifest);
  if (await exists(join(placement.folder, MANIFEST_FILE))) return { ...placement, placed: false };
  const temporary = join(publishDir, `.incoming-${manifest.key.replace(/[^A-Za-z0-9_-]/g, "_")}`);
  await rm(temporary, { recursive: true, force: true });
  await mkdir(temporary, { recursive: true });
  for (const variant of manifest.variants)
    await copyFile(join(stagingFolder, variant.file), join(temporary, variant.file));
  await writeFile(join(temporary, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  try {
    await rename(temporary, placement.folder);
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOTEMPTY" || code === "EEXIST") return { ...placement, placed: false };
    throw error;
  }
  await appendFile(
    join(publishDir, PUBLISH_LOG),
    `${JSON.stringify({ id: manifest.id, key: manifest.key })}\n`,
  );
  return { ...placement, placed: true };
}

/** Takes an item down again, when this effect (`key`) placed it; another run's item stays. */
export async function unpublishItem(publishDir: string, id: string, key: string): Promise<void> {
  const folder = join(publishDir, id);
  const text = await readFile(join(folder, MANIFEST_FILE), "utf8").catch(() => undefined);
  if (text === undefined || (JSON.parse(text) as Manifest).key !== key) return;
  await rm(folder, { recursive: true, force: true });
}
