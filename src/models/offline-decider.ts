import type { Decider } from "../contracts/decider.ts";
import { createLexicalClassifier, type TrainingExample } from "./lexical-classifier.ts";

/** A route branch as the offline classifier learns it. */
export interface BranchText {
  readonly name: string;
  readonly description: string;
  readonly examples: readonly string[];
}

/**
 * The offline route decider: a lexical classifier trained once, at start-up,
 * on each branch's name, description and examples. No network, no weights.
 * It is for running without an LLM (demos, tests, CI, air-gapped triage).
 * `extra` adds labelled examples, such as reviewers' corrections exported with
 * `signalbox labels export` (issue 17); examples of undeclared branches are ignored.
 */
export function createOfflineDecider(
  branches: readonly BranchText[],
  extra: readonly TrainingExample[] = [],
): Decider {
  const declared = new Set(branches.map((branch) => branch.name));
  const examples: TrainingExample[] = [
    ...branches.flatMap((branch) => [
      { label: branch.name, text: `${branch.name.replaceAll("_", " ")}. ${branch.description}` },
      ...branch.examples.map((text) => ({ label: branch.name, text })),
    ]),
    ...extra.filter((example) => declared.has(example.label) && example.text.trim() !== ""),
  ];
  const classifier = createLexicalClassifier(examples);
  return {
    decidedBy: "classifier",
    ask: async (request) => {
      const prediction = classifier.predict(request.text);
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
