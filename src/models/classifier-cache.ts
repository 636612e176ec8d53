/**
 * Trained offline classifiers kept between processes (issue 10: start-up). Training a
 * route's classifier is most of what a cold `signalbox run` spends beyond LangGraph;
 * the same examples and options always train the same classifier, so a host may keep
 * it, keyed by a hash of exactly those, and restore it instead of training again.
 * A cache is only ever a shortcut: anything wrong with an entry (missing, unreadable,
 * not valid JSON, another key, a saved classifier of another format or other labels)
 * means train as if there were no cache, and overwrite the entry.
 */

import { createHash, randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CLASSIFIER_FORMAT, CLASSIFIER_FORMAT_VERSION } from "./classifier-serialization.ts";
import {
  createLexicalClassifier,
  type LexicalClassifier,
  type LexicalClassifierOptions,
  restoreLexicalClassifier,
  type SerializedClassifier,
  type TrainingExample,
} from "./lexical-classifier.ts";

/**
 * What training produces from given examples and options. Bump it whenever a change
 * to the featurizer, trainer or calibration makes the same examples train a different
 * classifier, so that classifiers cached by older code are trained again.
 */
export const CLASSIFIER_TRAINING_REVISION = 1;

/** Where trained classifiers are kept, by key. */
export interface ClassifierCache {
  /** The entry saved under `key`, as read (validated by the caller), or undefined. */
  load(key: string): unknown;
  /** Saves `entry` under `key`; a cache that cannot save says so by throwing (the caller goes on). */
  save(key: string, entry: CachedClassifier): void;
}

/** One cache entry: the key it was saved under and the classifier. */
export interface CachedClassifier {
  readonly key: string;
  readonly classifier: SerializedClassifier;
}

/** The key of a classifier trained on `examples` with `options` by this code. */
export function classifierCacheKey(
  examples: readonly TrainingExample[],
  options: LexicalClassifierOptions,
): string {
  return createHash("sha256")
    .update(
      JSON.stringify({
        format: CLASSIFIER_FORMAT,
        version: CLASSIFIER_FORMAT_VERSION,
        revision: CLASSIFIER_TRAINING_REVISION,
        options,
        examples: examples.map(({ label, text }) => [label, text]),
      }),
    )
    .digest("hex");
}

/** How {@link trainOrRestoreClassifier} got its classifier. */
export type ClassifierSource = "trained" | "restored";

/**
 * The classifier for `examples`: restored from `cache` when it holds a valid one under
 * this key, else trained (and saved there). Without a cache, trains.
 */
export function trainOrRestoreClassifier(
  examples: readonly TrainingExample[],
  options: LexicalClassifierOptions = {},
  cache?: ClassifierCache,
  onSource?: (source: ClassifierSource) => void,
): LexicalClassifier {
  if (cache === undefined) {
    onSource?.("trained");
    return createLexicalClassifier(examples, options);
  }
  const key = classifierCacheKey(examples, options);
  const restored = restoreEntry(cache, key, options.labels ?? labelsOf(examples));
  if (restored !== undefined) {
    onSource?.("restored");
    return restored;
  }
  const trained = createLexicalClassifier(examples, options);
  try {
    cache.save(key, { key, classifier: trained.serialize() });
  } catch {
    // A cache that cannot be written costs a training next time, nothing more.
  }
  onSource?.("trained");
  return trained;
}

function labelsOf(examples: readonly TrainingExample[]): string[] {
  return [...new Set(examples.map((example) => example.label))];
}

/** The cached classifier under `key` when the entry is whole and for these labels. */
function restoreEntry(
  cache: ClassifierCache,
  key: string,
  labels: readonly string[],
): LexicalClassifier | undefined {
  try {
    const entry = cache.load(key);
    if (typeof entry !== "object" || entry === null) return undefined;
    const { key: savedKey, classifier } = entry as Partial<CachedClassifier>;
    if (savedKey !== key) return undefined;
    const restored = restoreLexicalClassifier(classifier);
    const same =
      restored.labels.length === labels.length &&
      restored.labels.every((label, index) => label === labels[index]);
    return same ? restored : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A cache of JSON files in `directory` (created on first save), one per key. Writes go
 * to a temporary file renamed into place, so a reader sees a whole entry or none, and
 * processes saving the same key at once leave one whole entry.
 */
export function directoryClassifierCache(directory: string): ClassifierCache {
  const file = (key: string) => {
    if (!/^[0-9a-f]{64}$/.test(key))
      throw new Error(`classifier cache key must be a sha256 hex digest, got "${key}"`);
    return join(directory, `${key}.json`);
  };
  return {
    load(key) {
      let text: string;
      try {
        text = readFileSync(file(key), "utf8");
      } catch {
        return undefined;
      }
      return JSON.parse(text);
    },
    save(key, entry) {
      const target = file(key);
      mkdirSync(directory, { recursive: true });
      const temporary = `${target}.${process.pid}.${randomUUID()}.tmp`;
      try {
        writeFileSync(temporary, JSON.stringify(entry));
        renameSync(temporary, target);
      } catch (error) {
        rmSync(temporary, { force: true });
        throw error;
      }
    },
  };
}
