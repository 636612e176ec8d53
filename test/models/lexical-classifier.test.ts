import { describe, expect, it } from "vitest";
import { banking77Missing, readBanking77Examples } from "../../bench/banking77-data.ts";
import {
  createLexicalClassifier,
  DEFAULT_CLASSIFIER_THRESHOLD,
  restoreLexicalClassifier,
  type TrainingExample,
} from "../../src/models/lexical-classifier.ts";
import { parseCsv, parseCsvRecords } from "../../src/models/read-csv.ts";
import { describeRequired } from "../support/required.ts";

/** A routing step as the offline tier sees it: a description and a few examples per branch. */
const ROUTE_BRANCHES: Record<string, { description: string; examples: string[] }> = {
  refund: {
    description: "The customer wants their money back for an order or a charge",
    examples: [
      "I want a refund for my last order",
      "please give me my money back",
      "refund the duplicate charge on my card",
      "the product broke and I want to be reimbursed",
    ],
  },
  billing_question: {
    description: "A question about an invoice, prices, plans or payment methods",
    examples: [
      "why is my invoice higher this month",
      "how much does the pro plan cost",
      "can I pay by bank transfer",
      "where do I download my invoice",
    ],
  },
  technical: {
    description: "Something is broken: errors, crashes, login problems, bugs",
    examples: [
      "the app crashes when I open settings",
      "I get an error when uploading a file",
      "I can't log in to my account",
      "the export button does nothing",
    ],
  },
  account_change: {
    description: "Change account details such as email, name, users or plan",
    examples: [
      "please change my email address",
      "add a new user to my team",
      "delete my account",
      "update the company name on my profile",
    ],
  },
};

function routeExamples(): TrainingExample[] {
  return Object.entries(ROUTE_BRANCHES).flatMap(([label, branch]) => [
    { label, text: `${label.replaceAll("_", " ")}. ${branch.description}` },
    ...branch.examples.map((text) => ({ label, text })),
  ]);
}

describe("createLexicalClassifier on a small routing step", () => {
  const classifier = createLexicalClassifier(routeExamples());

  it("exposes the labels in order of first appearance", () => {
    expect(classifier.labels).toEqual([
      "refund",
      "billing_question",
      "technical",
      "account_change",
    ]);
  });

  it.each([
    ["I was charged twice, I want my money back", "refund"],
    ["Can I get a refund please?", "refund"],
    ["What payment methods do you accept?", "billing_question"],
    ["How much is the enterprise plan per month?", "billing_question"],
    ["The website shows an error 500 and crashes", "technical"],
    ["I cannot log in since this morning", "technical"],
    ["Please change the email on my account to bob@example.com", "account_change"],
    ["remove my colleague from our team", "account_change"],
  ])("routes %j to %s", (message, expected) => {
    expect(classifier.predict(message).label).toBe(expected);
  });

  it("decides (confidence at or above the default threshold) on a message it was taught", () => {
    const prediction = classifier.predict("I want a refund for my last order");
    expect(prediction.label).toBe("refund");
    expect(prediction.confidence).toBeGreaterThanOrEqual(DEFAULT_CLASSIFIER_THRESHOLD);
  });

  it.each([
    "",
    "   ",
    "asdkjh qwpoeiru zxmcnv",
    "xyzzy plugh",
    "?!?! ...",
    "lorem ipsum dolor sit amet",
  ])("gives %j a confidence below the default threshold", (message) => {
    expect(classifier.predict(message).confidence).toBeLessThan(DEFAULT_CLASSIFIER_THRESHOLD);
  });

  it("returns sorted probabilities that sum to at most 1, led by the predicted label", () => {
    for (const message of ["refund my order", "the app is broken", "", "asdf"]) {
      const prediction = classifier.predict(message);
      const scores = prediction.scores.map((score) => score.score);
      expect(prediction.scores.length).toBeGreaterThan(0);
      expect(prediction.scores.length).toBeLessThanOrEqual(Math.min(5, classifier.labels.length));
      expect(scores).toEqual([...scores].sort((left, right) => right - left));
      expect(scores.reduce((total, score) => total + score, 0)).toBeLessThanOrEqual(1 + 1e-9);
      for (const score of scores) {
        expect(score).toBeGreaterThanOrEqual(0);
        expect(score).toBeLessThanOrEqual(1);
      }
      expect(prediction.scores[0]).toEqual({
        label: prediction.label,
        score: prediction.confidence,
      });
    }
  });

  it("is deterministic: the same training gives the same predictions", () => {
    const again = createLexicalClassifier(routeExamples());
    for (const message of ["I was charged twice", "my login fails", "hello there"]) {
      expect(again.predict(message)).toEqual(classifier.predict(message));
    }
  });
});

describe("saving and loading a classifier", () => {
  const classifier = createLexicalClassifier(routeExamples());
  const saved = JSON.parse(JSON.stringify(classifier.serialize()));

  it("writes versioned JSON that loads into a classifier predicting the same", () => {
    expect(saved).toMatchObject({ format: "signalbox-lexical-classifier", version: 1 });
    const restored = restoreLexicalClassifier(saved);
    expect(restored.labels).toEqual(classifier.labels);
    for (const message of ["I was charged twice", "my login fails", "hello there", ""]) {
      const before = classifier.predict(message);
      const after = restored.predict(message);
      expect(after.label).toBe(before.label);
      expect(after.scores.map((score) => score.label)).toEqual(
        before.scores.map((score) => score.label),
      );
      expect(Math.abs(after.confidence - before.confidence)).toBeLessThan(1e-5);
    }
    expect(restored.serialize()).toEqual(saved);
  });

  it("refuses another version or format, naming the field", () => {
    expect(() => restoreLexicalClassifier({ ...saved, version: 2 })).toThrow(/version/);
    expect(() => restoreLexicalClassifier({ ...saved, format: "other" })).toThrow(/format/);
    expect(() => restoreLexicalClassifier("nonsense")).toThrow(/not a saved lexical classifier/);
  });

  it("refuses weights that do not fit the vocabulary and labels", () => {
    const short = Buffer.from(new Float32Array(3).buffer).toString("base64");
    expect(() => restoreLexicalClassifier({ ...saved, weights: short })).toThrow(
      /weights has 3 values, expected \d+ features × 4 labels/,
    );
  });
});

describe("createLexicalClassifier input checks", () => {
  it("throws, naming the label, when a declared label has no example", () => {
    const labels = [...Object.keys(ROUTE_BRANCHES), "legal_threat"];
    expect(() => createLexicalClassifier(routeExamples(), { labels })).toThrow(/"legal_threat"/);
  });

  it("throws when an example's label is not declared", () => {
    expect(() => createLexicalClassifier(routeExamples(), { labels: ["refund"] })).toThrow(
      /"billing_question"/,
    );
  });

  it("throws when there are no examples at all", () => {
    expect(() => createLexicalClassifier([])).toThrow(/at least one/);
  });

  it("throws, naming the label, when an example's text is blank", () => {
    expect(() => createLexicalClassifier([{ label: "refund", text: "  " }])).toThrow(/"refund"/);
  });

  it("works with a single example per label", () => {
    const classifier = createLexicalClassifier([
      { label: "refund", text: "I want my money back" },
      { label: "technical", text: "the app crashes with an error" },
    ]);
    expect(classifier.predict("money back please").label).toBe("refund");
    expect(classifier.predict("error when the app starts").label).toBe("technical");
  });
});

describe("parseCsv", () => {
  it("handles quoted fields with commas, doubled quotes, line breaks and CRLF", () => {
    const text = 'text,category\r\n"Hi, it\'s ""urgent""",a\r\n"two\nlines",b\r\nplain,c\r\n';
    expect(parseCsv(text)).toEqual([
      ["text", "category"],
      ['Hi, it\'s "urgent"', "a"],
      ["two\nlines", "b"],
      ["plain", "c"],
    ]);
  });

  it("maps rows to records keyed by the header", () => {
    expect(parseCsvRecords("text,category\nhello,greeting\n")).toEqual([
      { text: "hello", category: "greeting" },
    ]);
  });

  it("rejects an unterminated quoted field", () => {
    expect(() => parseCsv('text\n"never closed')).toThrow(/not closed/);
  });
});

describeRequired(
  "createLexicalClassifier on Banking77 (77 intents)",
  banking77Missing(["train.csv", "test.csv"]),
  () => {
    it("reaches >= 90% top-1 accuracy and >= 97% accuracy on >= 70% of cases at the default threshold", () => {
      const classifier = createLexicalClassifier(readBanking77Examples("train.csv"));
      const tests = readBanking77Examples("test.csv");
      const outcomes = tests.map((example) => {
        const prediction = classifier.predict(example.text);
        return { correct: prediction.label === example.label, confidence: prediction.confidence };
      });
      const accuracy = outcomes.filter((outcome) => outcome.correct).length / outcomes.length;
      const decided = outcomes.filter(
        (outcome) => outcome.confidence >= DEFAULT_CLASSIFIER_THRESHOLD,
      );
      const selectiveAccuracy =
        decided.filter((outcome) => outcome.correct).length / decided.length;
      expect(classifier.labels).toHaveLength(77);
      expect(accuracy).toBeGreaterThanOrEqual(0.9);
      expect(decided.length / outcomes.length).toBeGreaterThanOrEqual(0.7);
      expect(selectiveAccuracy).toBeGreaterThanOrEqual(0.97);
    });
  },
);
