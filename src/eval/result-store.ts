import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { EvalResult } from "./types.ts";

/**
 * Keeps an eval run next to the runs it made: `<home>/evals/<id>.json` holds the
 * whole result, every case with its run id, so `signalbox show <run>` explains
 * any case later. Returns the file's path.
 */
export async function saveEvalResult(home: string, result: EvalResult): Promise<string> {
  const directory = join(home, "evals");
  await mkdir(directory, { recursive: true });
  const path = join(directory, `${result.id}.json`);
  await writeFile(path, `${JSON.stringify(result)}\n`);
  return path;
}
