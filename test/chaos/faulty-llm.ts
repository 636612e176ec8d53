import {
  type OpenAiTestServer,
  promptText,
  type RecordedRequest,
  type ScriptedReply,
  startOpenAiTestServer,
} from "../../src/testing/openai-server.ts";
import { seeded } from "../support/seeded.ts";

/** The LLM faults the chaos model server answers with, and how often (per request). */
export const LLM_FAULT_RATES = {
  llm_429: 0.12,
  llm_5xx: 0.1,
  llm_hang: 0.05,
  llm_garbage: 0.05,
  llm_reset: 0.03,
  /** Valid JSON naming a branch the route does not have (the decider's repair try). */
  llm_bad_branch: 0.05,
} as const;
export type LlmFaultKind = keyof typeof LLM_FAULT_RATES;

/** The chaos workers' model: a real HTTP server that often fails, answering in the LLM tier's format. */
export interface FaultyLlm {
  readonly url: string;
  /** Faults answered, by kind. */
  faults(): Record<string, number>;
  /** Requests given a good answer. */
  answered(): number;
  close(): Promise<void>;
}

/** The branches the route offered, read from the request's JSON schema. */
function offeredBranches(request: RecordedRequest): string[] {
  const schema = request.body.response_format?.json_schema?.schema as
    | { properties?: { branch?: { enum?: unknown } } }
    | undefined;
  const offered = schema?.properties?.branch?.enum;
  return Array.isArray(offered) ? offered.filter((name) => typeof name === "string") : [];
}

/** What a competent model would say: the refund branch for money back, else a person. */
function goodAnswer(request: RecordedRequest): ScriptedReply {
  const branches = offeredBranches(request);
  const text = promptText(request).toLowerCase();
  const wanted = /refund|money back/.test(text) ? "refund" : "escalate_to_human";
  const branch = branches.includes(wanted) ? wanted : (branches[0] ?? wanted);
  return {
    kind: "json",
    value: { branch, confidence: 0.9, reason: "chaos model: the message reads that way" },
    usage: { prompt: 120, completion: 12 },
  };
}

function faultReply(kind: LlmFaultKind): ScriptedReply {
  switch (kind) {
    case "llm_429":
      return { kind: "error", status: 429, message: "rate limited (chaos)", retryAfterSeconds: 0 };
    case "llm_5xx":
      return { kind: "error", status: 503, message: "overloaded (chaos)" };
    case "llm_hang":
      return { kind: "hang" };
    case "llm_garbage":
      return { kind: "malformed" };
    case "llm_reset":
      return { kind: "reset" };
    case "llm_bad_branch":
      return {
        kind: "json",
        value: { branch: "wire_the_money_now", confidence: 0.99, reason: "chaos" },
      };
  }
}

/** Starts the faulty model server; the seed fixes which request gets which fault. */
export async function startFaultyLlm(seed: number): Promise<FaultyLlm> {
  const random = seeded(seed);
  const counts: Record<string, number> = {};
  let answered = 0;
  const server: OpenAiTestServer = await startOpenAiTestServer({
    handler: (request) => {
      let pick = random();
      for (const [kind, rate] of Object.entries(LLM_FAULT_RATES) as [LlmFaultKind, number][]) {
        if (pick < rate) {
          counts[kind] = (counts[kind] ?? 0) + 1;
          return faultReply(kind);
        }
        pick -= rate;
      }
      answered += 1;
      return goodAnswer(request);
    },
  });
  return {
    url: server.url,
    faults: () => ({ ...counts }),
    answered: () => answered,
    close: () => server.close(),
  };
}
