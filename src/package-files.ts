import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let root: string | undefined;

/**
 * The directory of signalbox's own package.json: the checkout when running from the
 * sources, the installed package when running from dist/. Found by walking up from this
 * module, because the compiled code is bundled into chunks whose depth below the root
 * is not that of the source file.
 */
export function packageRoot(): string {
  if (root !== undefined) return root;
  let directory = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(directory, "package.json"))) {
    const parent = dirname(directory);
    if (parent === directory) throw new Error("signalbox: cannot find its own package.json");
    directory = parent;
  }
  root = directory;
  return root;
}

/** A path inside signalbox's package: `packageFile("evals")`, `packageFile("dist", "ui")`. */
export function packageFile(...segments: readonly string[]): string {
  return join(packageRoot(), ...segments);
}
