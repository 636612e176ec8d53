/**
 * The `corrections` bench section (issue 17): the Banking77 correction curve on the
 * whole test set. Data: $SIGNALBOX_BANKING77_DIR, else ../shared/datasets/banking77
 * beside the repository.
 *
 * Run: BENCH_ONLY=corrections npm run bench
 */

import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { correctionCurve, curveTable } from "./corrections-curve.ts";

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The data directory the section reads. */
export const banking77Directory =
  process.env.SIGNALBOX_BANKING77_DIR ?? resolve(repositoryRoot, "../shared/datasets/banking77");

/** Measures the curve and returns it with its markdown. */
export async function correctionsSection() {
  if (!existsSync(resolve(banking77Directory, "test.csv")))
    throw new Error(`no Banking77 data at ${banking77Directory}; set SIGNALBOX_BANKING77_DIR`);
  const started = Date.now();
  const curve = await correctionCurve({ dataDirectory: banking77Directory });
  return {
    generatedAt: new Date().toISOString(),
    seconds: (Date.now() - started) / 1000,
    ...curve,
    markdown: `## Corrections that teach (Banking77)\n\n${curveTable(curve)}`,
  };
}
