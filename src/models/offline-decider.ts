import type { Decider } from "../contracts/decider.ts";
import { type ClassifierCache, trainOrRestoreClassifier } from "./classifier-cache.ts";
import type { LexicalClassifier, TrainingExample } from "./lexical-classifier.ts";

/** A route branch as the offline classifier learns it. */
export interface BranchText {
  readonly name: string;
  readonly description: string;
  readonly examples: readonly string[];
}

/**
 * The offline route decider: a lexical classifier trained once, on the first decision,
 * on each branch's name, description and examples (or restored from `cache`, where a
 * classifier trained on exactly these was kept). No network, no weights.
 * It is for running without an LLM (demos, tests, CI, air-gapped triage).
 * `extra` adds labelled examples, such as reviewers' corrections exported with
 * `signalbox labels export` (issue 17); examples of undeclared branches are ignored.
 */
export function createOfflineDecider(
  branches: readonly BranchText[],
  extra: readonly TrainingExample[] = [],
  cache?: ClassifierCache,
): Decider {
  const declared = new Set(branches.map((branch) => branch.name));
  const examples: TrainingExample[] = [
    ...branches.flatMap((branch) => [
      { label: branch.name, text: `${branch.name.replaceAll("_", " ")}. ${branch.description}` },
      ...branch.examples.map((text) => ({ label: branch.name, text })),
    ]),
    ...extra.filter((example) => declared.has(example.label) && example.text.trim() !== ""),
  ];
  let classifier: LexicalClassifier | undefined;
  const trained = () => {
    classifier ??= trainOrRestoreClassifier(examples, {}, cache);
    return classifier;
  };
  return {
    decidedBy: "classifier",
    prepare: () => {
      trained();
    },
    ask: async (request) => {
      const prediction = trained().predict(request.text);
      const top = prediction.scores
        .slice(0, 3)
        .map((score) => `${score.label} ${score.score.toFixed(2)}`)
        .join(", ");
      return {
        value: {
          branch: prediction.label,
          reason: `offline classifier: closest to ${prediction.label} (top scores: ${top})`,
          confidence: prediction.confidence,
          scores: prediction.scores.map((score) => ({ name: score.label, score: score.score })),
        },
        modelId: "offline-lexical",
      };
    },
  };
}
