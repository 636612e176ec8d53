import { existsSync } from "node:fs";
import { basename, extname, resolve } from "node:path";
import { z } from "zod";
import { ErrorCode, SignalboxError } from "../errors.ts";
import type { BranchSpec } from "../graph/types.ts";
import { type CompiledWorkflow, defineWorkflow } from "../graph/workflow.ts";
import { DEFAULT_CLASSIFIER_THRESHOLD } from "../models/lexical-classifier.ts";
import { readDataset } from "./dataset.ts";
import { OUT_OF_SCOPE_TAG } from "./metrics.ts";
import type { DatasetRow, ModelConfig, ParsedClassificationSuite } from "./suite.ts";
import type { EvalCase } from "./types.ts";

/** Below this confidence an LLM's answer escalates, unless the configuration says otherwise. */
export const DEFAULT_LLM_MIN_CONFIDENCE = 0.5;

const ESCALATION_DESCRIPTION =
  "none of the other branches fits the request, or it is unclear: a person should look at it";

/** Train and test rows grouped for a classification route. */
export interface ClassificationData {
  /** Training texts by label, labels in order of first appearance (out-of-scope excluded). */
  readonly examples: ReadonlyMap<string, readonly string[]>;
  /** Training texts of the out-of-scope label, taught to the escalation branch. */
  readonly outOfScope: readonly string[];
  readonly escalationBranch: string;
  readonly cases: readonly EvalCase[];
}

/**
 * The directory holding a classification suite's files: --data, else the suite's
 * environment variable, else its `data.directory` relative to the suite file.
 * @throws SignalboxError CONFIG_INVALID saying where to get the files when they are missing
 */
export function resolveDataDirectory(
  suite: ParsedClassificationSuite,
  suiteDirectory: string,
  options: { dataPath?: string; environment?: Readonly<Record<string, string | undefined>> },
): string {
  const fromEnvironment = suite.data?.env ? options.environment?.[suite.data.env] : undefined;
  const directory = resolve(
    suiteDirectory,
    options.dataPath ?? (fromEnvironment || undefined) ?? suite.data?.directory ?? ".",
  );
  const missing = [suite.train, suite.test].filter((file) => !existsSync(resolve(directory, file)));
  if (missing.length > 0) {
    const via = suite.data?.env ? `$${suite.data.env}, ` : "";
    throw new SignalboxError(
      ErrorCode.ConfigInvalid,
      `suite ${suite.name}: ${missing.join(" and ")} not found in ${directory}. Point ${via}--data <dir> at the data set.${suite.data?.howToGet ? ` ${suite.data.howToGet}` : ""}`,
    );
  }
  return directory;
}

function escalationName(labels: Iterable<string>): string {
  const taken = new Set(labels);
  let name = "escalate";
  while (taken.has(name)) name = `${name}_`;
  return name;
}

function groupExamples(rows: readonly DatasetRow[], suite: ParsedClassificationSuite) {
  const examples = new Map<string, string[]>();
  const outOfScope: string[] = [];
  const heldOut = new Set(suite.holdOutLabels);
  for (const row of rows) {
    const text = String(row[suite.textColumn] ?? "").trim();
    const label = String(row[suite.labelColumn] ?? "").trim();
    if (text === "" || label === "" || heldOut.has(label)) continue;
    if (label === suite.outOfScopeLabel) outOfScope.push(text);
    else examples.set(label, [...(examples.get(label) ?? []), text]);
  }
  return { examples, outOfScope };
}

/** Reads the train and test files of a classification suite. */
export async function loadClassificationData(
  suite: ParsedClassificationSuite,
  directory: string,
): Promise<ClassificationData> {
  const [train, test] = await Promise.all([
    readDataset(resolve(directory, suite.train)),
    readDataset(resolve(directory, suite.test)),
  ]);
  const { examples, outOfScope } = groupExamples(train, suite);
  const trainLabels = new Set(train.map((row) => String(row[suite.labelColumn] ?? "").trim()));
  const unknown = suite.holdOutLabels.filter((label) => !trainLabels.has(label));
  if (unknown.length > 0)
    throw new SignalboxError(
      ErrorCode.ConfigInvalid,
      `suite ${suite.name}: holdOutLabels ${unknown.map((label) => `"${label}"`).join(", ")} do not occur in ${suite.train}; expected labels of its "${suite.labelColumn}" column`,
    );
  if (examples.size === 0)
    throw new SignalboxError(
      ErrorCode.ConfigInvalid,
      `suite ${suite.name}: no labelled rows in ${suite.train} (columns "${suite.textColumn}" and "${suite.labelColumn}")`,
    );
  const escalationBranch = escalationName(examples.keys());
  const stem = basename(suite.test, extname(suite.test));
  const width = String(test.length).length;
  const heldOut = new Set(suite.holdOutLabels);
  const cases = test.map((row, index): EvalCase => {
    const label = String(row[suite.labelColumn] ?? "").trim();
    const outside = label === suite.outOfScopeLabel || heldOut.has(label);
    const expected = outside ? escalationBranch : label;
    const known = examples.has(label) || outside;
    return {
      id: `${stem}-${String(index + 1).padStart(width, "0")}`,
      input: { text: String(row[suite.textColumn] ?? "") },
      expect: { routes: { [suite.node]: expected } },
      tags: outside ? [label, OUT_OF_SCOPE_TAG] : [label],
      ...(known ? {} : { note: `label "${label}" does not occur in ${suite.train}` }),
    };
  });
  return { examples, outOfScope, escalationBranch, cases };
}

/** The routing settings a configuration gives a classification route. */
export function routingSettings(config: ModelConfig) {
  const offline = config.model === "offline";
  return {
    classifierThreshold: config.classifierThreshold ?? DEFAULT_CLASSIFIER_THRESHOLD,
    minConfidence:
      config.minConfidence ?? (offline ? DEFAULT_CLASSIFIER_THRESHOLD : DEFAULT_LLM_MIN_CONFIDENCE),
  };
}

/** The output of a classification workflow whose route chose `branch`. */
export function classificationOutput(branch: string, escalationBranch: string | null) {
  return { label: branch, escalated: branch === escalationBranch };
}

/**
 * The workflow a classification suite runs: one route whose branches are the
 * labels (taught by the training texts), plus an escalation branch for low
 * confidence and out-of-scope requests, then a step that reports the label.
 */
export function createClassificationWorkflow(
  suite: ParsedClassificationSuite,
  data: ClassificationData,
  config: ModelConfig,
): CompiledWorkflow {
  const done = `${suite.node}_done`;
  const branches: Record<string, BranchSpec> = {};
  for (const [label, texts] of data.examples)
    branches[label] = { description: label.replaceAll("_", " "), examples: texts, to: done };
  branches[data.escalationBranch] = {
    description: ESCALATION_DESCRIPTION,
    examples: data.outOfScope,
    to: done,
  };
  const escalation = data.escalationBranch;
  return defineWorkflow({
    name: `eval_${suite.name.replaceAll(/[^\w-]/g, "_")}`,
    description: `${suite.description || suite.name}: classify a text into one of ${data.examples.size} labels`,
    version: "1",
    input: z.object({ text: z.string() }),
    output: z.object({ label: z.string(), escalated: z.boolean() }),
  })
    .route(suite.node, {
      branches,
      text: (state) => state.input.text,
      defaultBranch: escalation,
      escalationBranch: escalation,
      ...routingSettings(config),
    })
    .step(done, {
      run: (state) => {
        const label = state.routes[suite.node]?.branch ?? escalation;
        return { output: classificationOutput(label, escalation) };
      },
    })
    .compile() as unknown as CompiledWorkflow;
}
