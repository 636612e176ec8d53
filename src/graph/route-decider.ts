import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { AIMessage } from "@langchain/core/messages";
import { z } from "zod";
import {
  type Decider,
  type DecisionReport,
  extractJson,
  type RawAnswer,
  type RouteRequest,
} from "../contracts/decider.ts";
import type { DecidedBy } from "../contracts/decision.ts";
import { ErrorCode, isSignalboxError } from "../errors.ts";
import { describeIssues } from "../validation.ts";
import type { RouteAnswer, RouteDeciderFunction } from "./types.ts";

/** The schema a decider's answer must fit: exactly the declared branches plus a reason. */
export function routeAnswerSchema(branches: readonly string[]) {
  return z.object({
    branch: z.enum(branches as [string, ...string[]]),
    reason: z.string().trim().min(1, "a reason is required"),
    confidence: z.number().min(0).max(1).optional(),
    scores: z.array(z.object({ name: z.string(), score: z.number() })).optional(),
    modelId: z.string().optional(),
    tokensIn: z.number().int().optional(),
    tokensOut: z.number().int().optional(),
  });
}

export function isChatModel(value: unknown): value is BaseChatModel {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { invoke?: unknown }).invoke === "function" &&
    typeof (value as { _llmType?: unknown })._llmType === "function"
  );
}

/** Wraps a function or a chat model as a {@link Decider}. */
export function toDecider(
  decider: BaseChatModel | RouteDeciderFunction,
  decidedBy: DecidedBy | undefined,
): Decider {
  if (isChatModel(decider)) return chatModelDecider(decider);
  return {
    decidedBy: decidedBy ?? "classifier",
    ask: async (request) => ({ value: await decider(request) }),
  };
}

function routePrompt(request: RouteRequest): string {
  const lines = request.branches.map((branch) => {
    const examples =
      branch.examples.length > 0
        ? ` Examples: ${branch.examples
            .slice(0, 5)
            .map((e) => JSON.stringify(e))
            .join("; ")}`
        : "";
    return `- ${branch.name}: ${branch.description}.${examples}`;
  });
  return [
    "Choose exactly one branch for the request below.",
    "Branches:",
    ...lines,
    'Answer with JSON only: {"branch": "<one of the branch names>", "reason": "<one sentence>", "confidence": <0..1>}.',
    request.previousError
      ? `Your previous answer was invalid: ${request.previousError}. Answer again.`
      : "",
    `Request: ${request.text}`,
  ]
    .filter((line) => line !== "")
    .join("\n");
}

function chatModelDecider(model: BaseChatModel): Decider {
  return {
    decidedBy: "llm",
    ask: async (request) => {
      const message = (await model.invoke([
        { role: "user", content: routePrompt(request) },
      ])) as AIMessage;
      const text =
        typeof message.content === "string" ? message.content : JSON.stringify(message.content);
      const usage = message.usage_metadata;
      return {
        value: extractJson(text),
        modelId: typeof model.getName === "function" ? model.getName() : model._llmType(),
        tokensIn: usage?.input_tokens,
        tokensOut: usage?.output_tokens,
      };
    },
  };
}

/** The outcome of asking a decider, with repair, as the route node logs it. */
export type DecideOutcome =
  | {
      readonly ok: true;
      readonly answer: RouteAnswer;
      readonly repaired: boolean;
      readonly latencyMs: number;
    }
  | {
      readonly ok: false;
      readonly problems: readonly string[];
      readonly latencyMs: number;
      readonly last?: RawAnswer;
    };

function validate(schema: RouteAnswerSchema, raw: RawAnswer) {
  const result = schema.safeParse(raw.value);
  if (!result.success) {
    const shown = JSON.stringify(raw.value)?.slice(0, 200) ?? "undefined";
    return {
      ok: false as const,
      problem: `${describeIssues(result.error.issues)} (answer was ${shown})`,
    };
  }
  return {
    ok: true as const,
    answer: {
      ...result.data,
      modelId: result.data.modelId ?? raw.modelId,
      tokensIn: raw.tokensIn,
      tokensOut: raw.tokensOut,
      costUsd: raw.costUsd,
    },
  };
}

/** The answer schema of one route: built once per route, since zod compiles each new schema on first use. */
export type RouteAnswerSchema = ReturnType<typeof routeAnswerSchema>;

/**
 * Asks the decider; an invalid answer gets exactly one repair try. Decider errors
 * count as invalid answers, except an unavailable model, which is not asked again.
 */
export async function decideWithRepair(
  decider: Decider,
  request: RouteRequest,
  schema: RouteAnswerSchema = routeAnswerSchema(request.branches.map((branch) => branch.name)),
  report: DecisionReport = () => {},
): Promise<DecideOutcome> {
  const started = performance.now();
  const problems: string[] = [];
  let last: RawAnswer | undefined;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const asked = attempt === 0 ? request : { ...request, previousError: problems.at(-1) };
    try {
      last = await decider.ask(asked, report);
    } catch (error) {
      problems.push(`decider failed: ${error instanceof Error ? error.message : String(error)}`);
      if (isSignalboxError(error, ErrorCode.ModelUnavailable)) break;
      continue;
    }
    const checked = validate(schema, last);
    if (checked.ok) {
      return {
        ok: true,
        answer: checked.answer,
        repaired: attempt > 0,
        latencyMs: performance.now() - started,
      };
    }
    problems.push(checked.problem);
  }
  return { ok: false, problems, latencyMs: performance.now() - started, last };
}
