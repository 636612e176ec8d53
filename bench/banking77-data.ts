/**
 * The Banking77 data for the classifier benchmarks and the tests that need it:
 * $SIGNALBOX_BANKING77_DIR, else ../shared/datasets/banking77 relative to the
 * repository root. The one place that resolves it.
 */

import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { TrainingExample } from "../src/models/lexical-classifier.ts";
import { parseCsvRecords } from "../src/models/read-csv.ts";

export const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The directory holding Banking77's `train.csv`, `test.csv` and `categories.json`. */
export const banking77Directory =
  process.env.SIGNALBOX_BANKING77_DIR ?? resolve(repositoryRoot, "../shared/datasets/banking77");

/**
 * What is missing for a suite that needs the data, as `describeRequired` takes it:
 * undefined when every named file is there.
 */
export function banking77Missing(files: readonly string[] = ["test.csv"]): string | undefined {
  const absent = files.filter((file) => !existsSync(resolve(banking77Directory, file)));
  if (absent.length === 0) return undefined;
  return `the Banking77 data (no ${absent.join("/")} in ${banking77Directory}; set SIGNALBOX_BANKING77_DIR)`;
}

/** The labelled examples of one Banking77 CSV file (`train.csv`, `test.csv`). */
export function readBanking77Examples(fileName: string): TrainingExample[] {
  const records = parseCsvRecords(readFileSync(resolve(banking77Directory, fileName), "utf8"));
  return records.map((record) => ({ label: record.category ?? "", text: record.text ?? "" }));
}
