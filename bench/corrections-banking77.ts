/**
 * The `corrections` bench section (issue 17): the Banking77 correction curve on the
 * whole test set. Data: $SIGNALBOX_BANKING77_DIR, else ../shared/datasets/banking77
 * beside the repository.
 *
 * Run: BENCH_ONLY=corrections npm run bench
 */

import { banking77Directory, banking77Missing } from "./banking77-data.ts";
import { correctionCurve, curveTable } from "./corrections-curve.ts";

/** Measures the curve and returns it with its markdown. */
export async function correctionsSection() {
  const missing = banking77Missing();
  if (missing !== undefined) throw new Error(`${missing} is missing`);
  const started = Date.now();
  const curve = await correctionCurve({ dataDirectory: banking77Directory });
  return {
    generatedAt: new Date().toISOString(),
    seconds: (Date.now() - started) / 1000,
    ...curve,
    markdown: `## Corrections that teach (Banking77)\n\n${curveTable(curve)}`,
  };
}
