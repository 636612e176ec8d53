import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  type ClassifierCache,
  type ClassifierSource,
  classifierCacheKey,
  directoryClassifierCache,
  trainOrRestoreClassifier,
} from "../../src/models/classifier-cache.ts";
import type { TrainingExample } from "../../src/models/lexical-classifier.ts";
import { tempHome } from "../support/runtime.ts";

const EXAMPLES: TrainingExample[] = [
  { label: "refund", text: "refund. I want my money back for the broken blender" },
  { label: "refund", text: "please refund my order, it arrived damaged" },
  { label: "billing", text: "billing. why was I charged twice this month" },
  { label: "billing", text: "question about my invoice and the VAT on it" },
  { label: "technical", text: "technical. the app crashes when I log in" },
  { label: "technical", text: "error 500 when I open the settings page" },
];
const TEXTS = ["my blender broke, money back please", "charged twice on the invoice", "app crash"];

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function cacheDirectory() {
  const { home, cleanup } = tempHome("signalbox-classifier-cache-");
  cleanups.push(cleanup);
  return join(home, "cache", "classifiers");
}

/** Trains or restores through `cache`, saying which. */
function classify(cache: ClassifierCache | undefined, examples = EXAMPLES) {
  const sources: ClassifierSource[] = [];
  const classifier = trainOrRestoreClassifier(examples, {}, cache, (source) =>
    sources.push(source),
  );
  return { classifier, sources, predictions: TEXTS.map((text) => classifier.predict(text)) };
}

describe("the offline classifier cache (issue 10: start-up)", () => {
  it("trains and saves on a miss, then restores a classifier that predicts as the trained one", () => {
    const directory = cacheDirectory();
    const cache = directoryClassifierCache(directory);
    const first = classify(cache);
    expect(first.sources).toEqual(["trained"]);
    const key = classifierCacheKey(EXAMPLES, {});
    expect(readdirSync(directory)).toEqual([`${key}.json`]);

    const second = classify(directoryClassifierCache(directory));
    expect(second.sources).toEqual(["restored"]);
    expect(second.classifier.labels).toEqual(["refund", "billing", "technical"]);
    second.predictions.forEach((prediction, index) => {
      const trained = first.predictions[index];
      expect(prediction.label).toBe(trained?.label);
      expect(prediction.confidence).toBeCloseTo(trained?.confidence ?? Number.NaN, 5);
    });
  });

  it("keys by the examples and options: other examples, order or options train anew", () => {
    const key = classifierCacheKey(EXAMPLES, {});
    expect(classifierCacheKey([...EXAMPLES], {})).toBe(key);
    expect(classifierCacheKey(EXAMPLES.slice(1), {})).not.toBe(key);
    expect(classifierCacheKey([...EXAMPLES].reverse(), {})).not.toBe(key);
    expect(classifierCacheKey(EXAMPLES, { seed: 2 })).not.toBe(key);

    const cache = directoryClassifierCache(cacheDirectory());
    expect(classify(cache).sources).toEqual(["trained"]);
    expect(classify(cache, EXAMPLES.slice(1)).sources).toEqual(["trained"]);
    expect(classify(cache, EXAMPLES.slice(1)).sources).toEqual(["restored"]);
  });

  it("trains (and repairs the entry) when the entry is torn, not JSON, under another key, of another format or for other labels", () => {
    const directory = cacheDirectory();
    const cache = directoryClassifierCache(directory);
    classify(cache);
    const key = classifierCacheKey(EXAMPLES, {});
    const file = join(directory, `${key}.json`);
    const whole = readFileSync(file, "utf8");
    const entry = JSON.parse(whole);
    const otherKey = classifierCacheKey(EXAMPLES.slice(1), {});
    const broken = [
      whole.slice(0, whole.length / 2),
      "not json",
      "null",
      JSON.stringify({ ...entry, key: otherKey }),
      JSON.stringify({ ...entry, classifier: { ...entry.classifier, version: 99 } }),
      JSON.stringify({ ...entry, classifier: { ...entry.classifier, weights: "!!" } }),
      JSON.stringify({
        ...entry,
        classifier: { ...entry.classifier, labels: ["billing", "refund", "technical"] },
      }),
    ];
    for (const text of broken) {
      writeFileSync(file, text);
      expect(classify(cache).sources).toEqual(["trained"]);
      // The bad entry was replaced by a whole one.
      expect(classify(cache).sources).toEqual(["restored"]);
    }
  });

  it("a cache that cannot save or load costs a training, never the classifier", () => {
    const failing: ClassifierCache = {
      load: () => {
        throw new Error("disk gone");
      },
      save: () => {
        throw new Error("disk full");
      },
    };
    const result = classify(failing);
    expect(result.sources).toEqual(["trained"]);
    expect(result.predictions.map((prediction) => prediction.label)).toEqual([
      "refund",
      "billing",
      "technical",
    ]);
  });

  it("writes whole entries only: no temporary file is left, and a key that is not a digest is refused", () => {
    const directory = cacheDirectory();
    const cache = directoryClassifierCache(directory);
    classify(cache);
    classify(directoryClassifierCache(directory), EXAMPLES.slice(2));
    expect(readdirSync(directory).every((name) => /^[0-9a-f]{64}\.json$/.test(name))).toBe(true);
    expect(readdirSync(directory)).toHaveLength(2);
    expect(() => cache.save("../escape", { key: "../escape", classifier: {} as never })).toThrow(
      /sha256 hex digest/,
    );
  });
});
