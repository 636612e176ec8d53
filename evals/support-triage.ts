/**
 * The shipped support-triage workflow against hand-written cases, most of them
 * ugly: empty and one-word messages, several intents at once, conflicting
 * facts, angry customers, other languages, unknown customers, prompt
 * injection and oversized input. Cases run as dry-runs over a freshly seeded
 * copy of the support data (see src/workflows/support-triage/seed-data.ts).
 *
 * Rows of support-triage.cases.jsonl: `id`, `tags`, `customer`, `message`
 * (repeated `repeat` times, then `suffix`, to build oversized input), `expect`
 * and `note`. Two configurations: `offline`, and `local-llm`, whose recorded replies
 * come from a stand-in model (evals/stand-in-model.ts) on the local
 * OpenAI-compatible server. What the offline model gets wrong is listed in the baseline as
 * expected failures, not tuned away.
 */
import { defineEvalSuite } from "../src/eval/suite.ts";

function message(row: Readonly<Record<string, unknown>>): unknown {
  const text = row.message;
  if (typeof text !== "string") return text;
  const times = typeof row.repeat === "number" ? row.repeat : 1;
  return `${text.repeat(times)}${typeof row.suffix === "string" ? row.suffix : ""}`;
}

export default defineEvalSuite({
  kind: "workflow",
  name: "support-triage",
  description: "support_triage on hand-written, mostly adversarial support messages",
  workflow: "support_triage",
  dataset: "support-triage.cases.jsonl",
  mapping: {
    input: (row) => ({ customerId: row.customer, message: message(row) }),
  },
  models: [
    { name: "offline", model: "offline" },
    // Issue 16: the LLM path (routes' LLM tier and the technical agent's tool calls, over
    // ChatOpenAI's wire format) scored in CI without a key: replies recorded from the
    // stand-in model on the local OpenAI-compatible server (evals/record-stand-in.ts).
    {
      name: "local-llm",
      model: "openai-compatible:stand-in@http://127.0.0.1:9/v1",
      fixture: "fixtures/support-triage.local-llm.json",
    },
  ],
  baseline: "baselines/support-triage.json",
  tolerance: { cases: 0, metrics: 0 },
});
