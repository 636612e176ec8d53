import { extname } from "node:path";
import { pathToFileURL } from "node:url";

const TYPESCRIPT = new Set([".ts", ".mts", ".cts"]);

/**
 * Imports a module the user wrote (a config file, an eval suite) and returns its
 * default export. JavaScript is imported natively; TypeScript goes through jiti,
 * which is loaded only then. Packages the file imports (signalbox itself, zod) are
 * imported natively too, so they are the same instances the caller uses.
 */
export async function importDefault(file: string): Promise<unknown> {
  if (!TYPESCRIPT.has(extname(file))) {
    const module = (await import(pathToFileURL(file).href)) as { default?: unknown };
    return module.default;
  }
  const { createJiti } = await import("jiti");
  const jiti = createJiti(import.meta.url, { moduleCache: false });
  return jiti.import(file, { default: true });
}
