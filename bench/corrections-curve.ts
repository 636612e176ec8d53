/**
 * The correction curve (issue 17): a route's offline classifier, trained on a few
 * examples per branch, decides half of the Banking77 test set ("reviewed"); a
 * reviewer corrects a growing sample of its mistakes there; the classifier is
 * retrained with those corrections as extra examples (the route's
 * `trainingExamples`, through `createOfflineDecider`, as `signalbox labels export`
 * feeds it) and scored on the other half ("held out"), which no correction saw.
 */

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { createOfflineDecider } from "../src/models/offline-decider.ts";
import { parseCsvRecords } from "../src/models/read-csv.ts";

interface Example {
  readonly label: string;
  readonly text: string;
}

/** Options of {@link correctionCurve}. */
export interface CurveOptions {
  readonly dataDirectory: string;
  /** Training examples per intent the route declares; default 10. */
  readonly seedPerIntent?: number;
  /** Numbers of corrections to try; `Infinity` means every mistake of the reviewed half. */
  readonly steps?: readonly number[];
  /** Test cases used (spread evenly), default all. */
  readonly limit?: number;
}

/** One point of the curve. */
export interface CurvePoint {
  readonly corrections: number;
  readonly heldOutAccuracy: number;
  readonly heldOutCorrect: number;
  readonly heldOut: number;
}

/** The curve, with the sizes it was measured on. */
export interface CorrectionCurve {
  readonly intents: number;
  readonly seedExamples: number;
  readonly reviewed: number;
  readonly mistakesInReviewed: number;
  readonly points: readonly CurvePoint[];
}

function read(directory: string, file: string): Example[] {
  return parseCsvRecords(readFileSync(resolve(directory, file), "utf8")).map((record) => ({
    label: record.category ?? "",
    text: record.text ?? "",
  }));
}

/** A deterministic shuffle (mulberry32), so every run measures the same split. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
  }
  return copy;
}

function branchesFrom(train: readonly Example[], perIntent: number) {
  const byLabel = new Map<string, string[]>();
  for (const example of train) {
    const list = byLabel.get(example.label) ?? [];
    if (list.length < perIntent) list.push(example.text);
    byLabel.set(example.label, list);
  }
  return [...byLabel].map(([name, examples]) => ({
    name,
    description: name.replaceAll("_", " "),
    examples,
  }));
}

async function predictor(branches: ReturnType<typeof branchesFrom>, extra: readonly Example[]) {
  const decider = createOfflineDecider(branches, extra);
  return async (text: string) => {
    const raw = await decider.ask({ node: "intent", text, branches, state: undefined }, () => {});
    return (raw.value as { branch: string }).branch;
  };
}

async function accuracy(predict: (text: string) => Promise<string>, cases: readonly Example[]) {
  let correct = 0;
  for (const example of cases) if ((await predict(example.text)) === example.label) correct += 1;
  return correct;
}

/** Measures held-out accuracy after 0, …, all corrections of the reviewed half's mistakes. */
export async function correctionCurve(options: CurveOptions): Promise<CorrectionCurve> {
  const branches = branchesFrom(
    read(options.dataDirectory, "train.csv"),
    options.seedPerIntent ?? 10,
  );
  let test = read(options.dataDirectory, "test.csv");
  if (options.limit !== undefined && options.limit < test.length) {
    const every = test.length / options.limit;
    test = Array.from(
      { length: options.limit },
      (_, index) => test[Math.floor(index * every)] as Example,
    );
  }
  const mixed = shuffled(test, 17);
  const reviewed = mixed.slice(0, Math.floor(mixed.length / 2));
  const heldOut = mixed.slice(reviewed.length);
  const base = await predictor(branches, []);
  const mistakes: Example[] = [];
  for (const example of reviewed)
    if ((await base(example.text)) !== example.label) mistakes.push(example);
  // The reviewer corrects mistakes in the order they come: a random sample of them.
  const sample = shuffled(mistakes, 29);
  const points: CurvePoint[] = [];
  for (const step of options.steps ?? [0, 100, 200, 400, 800, Number.POSITIVE_INFINITY]) {
    const corrections = sample.slice(0, Math.min(step, sample.length));
    if (points.some((point) => point.corrections === corrections.length)) continue;
    const predict = corrections.length === 0 ? base : await predictor(branches, corrections);
    const correct = await accuracy(predict, heldOut);
    points.push({
      corrections: corrections.length,
      heldOutAccuracy: correct / heldOut.length,
      heldOutCorrect: correct,
      heldOut: heldOut.length,
    });
  }
  return {
    intents: branches.length,
    seedExamples: branches.reduce((sum, branch) => sum + branch.examples.length, 0),
    reviewed: reviewed.length,
    mistakesInReviewed: mistakes.length,
    points,
  };
}

/** The curve as a markdown table. */
export function curveTable(curve: CorrectionCurve): string {
  const lines = [
    `Banking77: ${curve.intents} intents, route trained on ${curve.seedExamples} examples; ${curve.reviewed} reviewed test cases (${curve.mistakesInReviewed} mistakes), ${curve.points[0]?.heldOut ?? 0} held out`,
    "",
    "| corrections | held-out accuracy | correct |",
    "| ---: | ---: | ---: |",
    ...curve.points.map(
      (point) =>
        `| ${point.corrections} | ${(point.heldOutAccuracy * 100).toFixed(2)}% | ${point.heldOutCorrect}/${point.heldOut} |`,
    ),
  ];
  return lines.join("\n");
}
