import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { AIMessage } from "@langchain/core/messages";
import { z } from "zod";
import type { Decider, DecisionReport, RawAnswer, RouteRequest } from "../contracts/decider.ts";
import { extractJson } from "../contracts/decider.ts";
import { ErrorCode, isSignalboxError } from "../errors.ts";
import type { ChatProvider, StructuredMethod } from "./chat-provider.ts";
import { classifyModelError } from "./model-errors.ts";

const TOOL_NAME = "choose_branch";

/** The JSON Schema a model must answer with: exactly the declared branches, a reason, a confidence. */
export function routeJsonSchema(branches: readonly string[]): Record<string, unknown> {
  const schema = z
    .object({
      branch: z
        .enum(branches as [string, ...string[]])
        .describe("one of the declared branch names"),
      reason: z.string().describe("one short sentence: why this branch"),
      confidence: z.number().min(0).max(1).describe("how sure, from 0 to 1"),
    })
    .strict();
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema) as Record<string, unknown>;
  return json;
}

function messages(request: RouteRequest) {
  const branches = request.branches.map((branch) => {
    const examples = branch.examples
      .slice(0, 3)
      .map((example) => JSON.stringify(example))
      .join("; ");
    return `- ${branch.name}: ${branch.description}${examples ? ` (e.g. ${examples})` : ""}`;
  });
  const system = [
    "You route requests. Choose exactly one branch:",
    ...branches,
    "Answer with the branch name, a one-sentence reason, and your confidence.",
  ].join("\n");
  const repair = request.previousError
    ? `\n\nYour previous answer was invalid (${request.previousError}). Answer again with one of the declared branches.`
    : "";
  return [
    { role: "system" as const, content: system },
    { role: "user" as const, content: `${request.text}${repair}` },
  ];
}

function invokeWith(
  method: StructuredMethod,
  model: BaseChatModel,
  request: RouteRequest,
  schema: Record<string, unknown>,
): Promise<AIMessage> {
  if (method === "jsonSchema") {
    const bound = model.withConfig({
      response_format: {
        type: "json_schema",
        json_schema: { name: "route_decision", strict: true, schema },
      },
    } as never);
    return bound.invoke(messages(request)) as Promise<AIMessage>;
  }
  if (typeof model.bindTools !== "function")
    throw new Error(`${model.getName()} cannot call tools`);
  const bound = model.bindTools(
    [
      {
        type: "function",
        function: {
          name: TOOL_NAME,
          description: "Choose the branch for this request",
          parameters: schema,
        },
      },
    ],
    { tool_choice: { type: "function", function: { name: TOOL_NAME } } } as never,
  );
  return bound.invoke(messages(request)) as Promise<AIMessage>;
}

/** True when a 4xx says the server does not take this way of asking for structure. */
function rejectsMethod(error: unknown): boolean {
  const fault = classifyModelError(error);
  return (
    fault.kind === "rejected" && /response_format|json_schema|tool|function/i.test(fault.message)
  );
}

async function ask(
  provider: ChatProvider,
  request: RouteRequest,
  report: DecisionReport,
): Promise<RawAnswer> {
  const schema = routeJsonSchema(request.branches.map((branch) => branch.name));
  const estimate = Math.ceil(JSON.stringify(messages(request)).length / 4);
  let method = provider.structuredMethod;
  let message: AIMessage;
  try {
    message = await provider.call(
      (model) => invokeWith(method, model, request, schema),
      report,
      estimate,
    );
  } catch (error) {
    if (!rejectsMethod(error)) throw error;
    const other: StructuredMethod = method === "jsonSchema" ? "functionCalling" : "jsonSchema";
    report({
      node: "",
      kind: "fallback",
      options: [{ name: method }, { name: other }],
      choice: other,
      reason: `${provider.id} rejected ${method} structured output (${classifyModelError(error).message.slice(0, 160)}); using ${other} from now on`,
      confidence: null,
      decidedBy: "rule",
      modelId: provider.id,
    });
    provider.structuredMethod = other;
    method = other;
    message = await provider.call(
      (model) => invokeWith(method, model, request, schema),
      report,
      estimate,
    );
  }
  const text =
    typeof message.content === "string" ? message.content : JSON.stringify(message.content);
  const value =
    method === "functionCalling" && message.tool_calls?.[0]
      ? message.tool_calls[0].args
      : extractJson(text);
  const tokensIn = message.usage_metadata?.input_tokens;
  const tokensOut = message.usage_metadata?.output_tokens;
  return {
    value,
    modelId: provider.id,
    tokensIn,
    tokensOut,
    costUsd: provider.cost(tokensIn, tokensOut),
  };
}

/**
 * The LLM route decider: structured output constrained to the declared
 * branches (json_schema or a forced function call, switching when the server
 * rejects one), with the provider's retries and breaker; when the primary is
 * unavailable and a fallback model is configured, the fallback answers and the
 * log says so. The answer is validated by the route like any other.
 */
export function createLlmDecider(primary: ChatProvider, fallback?: ChatProvider): Decider {
  return {
    decidedBy: "llm",
    ask: async (request, report) => {
      try {
        return await ask(primary, request, report);
      } catch (error) {
        if (fallback === undefined || !isSignalboxError(error, ErrorCode.ModelUnavailable))
          throw error;
        report({
          node: "",
          kind: "fallback",
          options: [{ name: primary.id }, { name: fallback.id }],
          choice: fallback.id,
          reason: `${primary.id} unavailable (${error.message.slice(0, 160)}); asking the fallback model`,
          confidence: null,
          decidedBy: "rule",
          modelId: fallback.id,
        });
        return ask(fallback, request, report);
      }
    },
  };
}
