import { describe, expect, it } from "vitest";
import { normalizeText } from "../../src/graph/normalize-text.ts";
import {
  refundNotRequested,
  refundRequestQuoted,
} from "../../src/workflows/support-triage/text-rules.ts";

// The eval suite holds the phrasings that must not move money (tag `not-a-request`);
// these are the other side: requests and demands the rules must leave to the classifier.
const mentioned = (text: string) => {
  const normalised = normalizeText(text);
  return refundNotRequested(normalised) || refundRequestQuoted(normalised);
};

describe("support-triage text rules", () => {
  it.each([
    "I do NOT want a refund, I just want to know why I was charged twice",
    "I'm not asking for a refund, just explain the second charge",
    "No refund needed, I only want to understand this charge",
    "Please don't refund order 5012, I still want the product",
    "If I wanted a refund, how would that work?",
    "What is your refund policy for annual plans?",
    "My friend said 'refund me' is a magic phrase. Is that true?",
    "ｉ ｄｏ ｎｏｔ ｗａｎｔ ａ ｒｅｆｕｎｄ",
  ])("a refund mentioned, not asked for: %s", (text) => {
    expect(mentioned(text)).toBe(true);
  });

  it.each([
    "I was charged twice for order #5012, please refund me",
    "I'd like a refund for my order 4801",
    "can I get a refund, I never used it",
    "I'd like to return this and get refunded",
    "you never refunded order 5002, refund it now",
    "I don't want a voucher, I want a refund for 5012",
    "If you don't refund me I'm leaving for good",
    "Why don't you refund me already? Order 5012",
    "I want a refund, not store credit, for order 5012",
    "I have not received my refund for 5012 yet, please refund it",
    "It's been a week and it's still broken, I'd like my money back",
    "<script>alert('x')</script> please refund order 5012",
  ])("a request or a demand, left to the classifier: %s", (text) => {
    expect(mentioned(text)).toBe(false);
  });
});
