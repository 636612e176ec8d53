/**
 * The Banking77 data for the classifier benchmarks and the tests that need it:
 * $SIGNALBOX_BANKING77_DIR, else ../shared/datasets/banking77 relative to the
 * repository root. The one place that resolves it.
 */

import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { TrainingExample } from "../src/models/lexical-classifier.ts";
import { createRandom, shuffleInPlace } from "../src/models/linear-trainer.ts";
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

/**
 * The classifier studies' split: `test` is Banking77's own train/test; `dev` holds out a
 * fixed 20% of the training rows (seed 12345) so variants are chosen without the test set.
 */
export function splitData(split: string): { train: TrainingExample[]; tests: TrainingExample[] } {
  const train = readBanking77Examples("train.csv");
  if (split === "test") return { train, tests: readBanking77Examples("test.csv") };
  const order = [...train.keys()];
  shuffleInPlace(order, createRandom(12345));
  const held = new Set(order.slice(0, Math.floor(train.length * 0.2)));
  return {
    train: train.filter((_, index) => !held.has(index)),
    tests: train.filter((_, index) => held.has(index)),
  };
}

/** The out-of-scope intents of a split: the benchmark's ten on `test`, ten fixed others on `dev`. */
export function heldOutIntents(split: string): Set<string> {
  if (split === "test") {
    const suite = readFileSync(resolve(repositoryRoot, "evals/banking77-oos.json"), "utf8");
    return new Set(JSON.parse(suite).holdOutLabels);
  }
  const intents = [...new Set(readBanking77Examples("train.csv").map((example) => example.label))];
  return new Set(intents.filter((_, index) => index % 8 === 4).slice(0, 10));
}
