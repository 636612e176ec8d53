/**
 * Benchmarks the offline lexical classifier on Banking77 (77 intents): trains
 * on train.csv, scores test.csv, and prints accuracy, training time,
 * per-decision latency and selective accuracy / coverage at several
 * confidence thresholds.
 *
 * Run: npx tsx bench/classifier-banking77.ts
 * Data directory: $SIGNALBOX_BANKING77_DIR, else ../shared/datasets/banking77
 * relative to the repository root. To try other settings, pass classifier
 * options as JSON in $SIGNALBOX_CLASSIFIER_OPTIONS, e.g. '{"epochs":4}'.
 */

import { fileURLToPath } from "node:url";
import {
  type ClassifierPrediction,
  createLexicalClassifier,
  DEFAULT_CLASSIFIER_THRESHOLD,
  type TrainingExample,
} from "../src/models/lexical-classifier.ts";
import { readBanking77Examples } from "./banking77-data.ts";

function percent(value: number): string {
  return `${(value * 100).toFixed(2)}%`;
}

function reportThresholds(
  predictions: readonly ClassifierPrediction[],
  tests: readonly TrainingExample[],
): void {
  const thresholds = [
    0,
    0.3,
    0.4,
    0.5,
    0.6,
    0.7,
    0.75,
    DEFAULT_CLASSIFIER_THRESHOLD,
    0.8,
    0.85,
    0.9,
  ];
  console.log("threshold  coverage  selective-accuracy");
  for (const threshold of [...new Set(thresholds)].sort((left, right) => left - right)) {
    let decided = 0;
    let correct = 0;
    predictions.forEach((prediction, index) => {
      if (prediction.confidence < threshold) return;
      decided += 1;
      if (prediction.label === tests[index]?.label) correct += 1;
    });
    const marker = threshold === DEFAULT_CLASSIFIER_THRESHOLD ? "  <- default" : "";
    const accuracy = decided === 0 ? 1 : correct / decided;
    console.log(
      `${threshold.toFixed(2).padStart(9)}  ${percent(decided / tests.length).padStart(8)}  ${percent(accuracy).padStart(18)}${marker}`,
    );
  }
}

function reportCalibration(
  predictions: readonly ClassifierPrediction[],
  tests: readonly TrainingExample[],
): void {
  const buckets = Array.from({ length: 5 }, () => ({ count: 0, correct: 0, confidence: 0 }));
  predictions.forEach((prediction, index) => {
    const bucket = buckets[Math.min(4, Math.floor(prediction.confidence * 5))];
    if (bucket === undefined) return;
    bucket.count += 1;
    bucket.confidence += prediction.confidence;
    if (prediction.label === tests[index]?.label) bucket.correct += 1;
  });
  console.log("confidence-bin  count  mean-confidence  accuracy");
  buckets.forEach((bucket, index) => {
    if (bucket.count === 0) return;
    const range = `${(index / 5).toFixed(1)}-${((index + 1) / 5).toFixed(1)}`;
    const mean = percent(bucket.confidence / bucket.count);
    console.log(
      `${range.padStart(14)}  ${String(bucket.count).padStart(5)}  ${mean.padStart(15)}  ${percent(bucket.correct / bucket.count).padStart(8)}`,
    );
  });
}

function reportLatency(microseconds: readonly number[], cpuMicroseconds: number): void {
  const sorted = [...microseconds].sort((left, right) => left - right);
  const at = (share: number): string =>
    (sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] ?? 0).toFixed(0);
  const mean = sorted.reduce((total, value) => total + value, 0) / Math.max(1, sorted.length);
  console.log(
    `predict latency per decision: mean ${mean.toFixed(0)} µs, p50 ${at(0.5)} µs, p99 ${at(0.99)} µs, max ${at(1)} µs (wall); mean ${cpuMicroseconds.toFixed(0)} µs CPU`,
  );
}

/** Prints this benchmark's figures. */
export function classifierBanking77(): void {
  const train = readBanking77Examples("train.csv");
  const tests = readBanking77Examples("test.csv");
  console.log(`Banking77: ${train.length} training rows, ${tests.length} test rows`);
  const trainStart = performance.now();
  const cpuStart = process.cpuUsage();
  const classifier = createLexicalClassifier(
    train,
    JSON.parse(process.env.SIGNALBOX_CLASSIFIER_OPTIONS ?? "{}"),
  );
  const cpu = process.cpuUsage(cpuStart);
  const trainSeconds = (performance.now() - trainStart) / 1000;
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  console.log(
    `labels: ${classifier.labels.length}, training time: ${trainSeconds.toFixed(2)} s wall, ${cpuSeconds.toFixed(2)} s CPU`,
  );
  for (const example of tests.slice(0, 200)) classifier.predict(example.text);
  const durations: number[] = [];
  const predictCpuStart = process.cpuUsage();
  const predictions = tests.map((example) => {
    const start = performance.now();
    const prediction = classifier.predict(example.text);
    durations.push((performance.now() - start) * 1000);
    return prediction;
  });
  const correct = predictions.filter(
    (prediction, index) => prediction.label === tests[index]?.label,
  ).length;
  console.log(`top-1 accuracy: ${percent(correct / tests.length)} (${correct}/${tests.length})`);
  const predictCpu = process.cpuUsage(predictCpuStart);
  reportLatency(durations, (predictCpu.user + predictCpu.system) / tests.length);
  console.log(`default threshold: ${DEFAULT_CLASSIFIER_THRESHOLD}`);
  reportThresholds(predictions, tests);
  reportCalibration(predictions, tests);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) classifierBanking77();
