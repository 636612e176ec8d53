/**
 * The Banking77 data for the classifier benchmarks: $SIGNALBOX_BANKING77_DIR,
 * else ../shared/datasets/banking77 relative to the repository root.
 */

import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { TrainingExample } from "../src/models/lexical-classifier.ts";
import { parseCsvRecords } from "../src/models/read-csv.ts";

export const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const datasetDirectory =
  process.env.SIGNALBOX_BANKING77_DIR ?? resolve(repositoryRoot, "../shared/datasets/banking77");

/** The labelled examples of one Banking77 CSV file (`train.csv`, `test.csv`). */
export function readBanking77Examples(fileName: string): TrainingExample[] {
  const records = parseCsvRecords(readFileSync(resolve(datasetDirectory, fileName), "utf8"));
  return records.map((record) => ({ label: record.category ?? "", text: record.text ?? "" }));
}
