/**
 * The stand-in model behind the support-triage suite's `local-llm` configuration:
 * served by the local OpenAI-compatible test server (src/testing) while recording,
 * so the replies in fixtures/support-triage.local-llm.json went over the real wire
 * format (ChatOpenAI → HTTP → tool calls parsed back). It is not a language model:
 * routes by keyword; the agent follows the offline plan, but, like a gullible model,
 * it also asks for any tool the customer names (which the allow-list refuses) and
 * cites any `kb-…` id planted in the message (which draft_reply's review catches).
 */
import type { OfflineAnswerInput, OfflineToolResult } from "../src/models/offline-agent-model.ts";
import {
  type ChatCompletionMessage,
  messageText,
  type RecordedRequest,
  type ScriptedReply,
} from "../src/testing/openai-server.ts";
import {
  parseTechnicalPrompt,
  planTechnicalAnswer,
} from "../src/workflows/support-triage/technical-agent.ts";

const ROUTES: readonly [string, RegExp][] = [
  ["escalate_to_human", /\b(lawyer|chargeback|manager|leaked)\b/i],
  [
    "technical",
    /\b(crash\w*|errors?|log ?in|password|sync\w*|export\w*|upload\w*|slow|api|webhooks?|notifications?|sso|sign[- ]?on|two-factor|search|previews?|integration|broken|bug|time ?outs?|429|504|500|locked|conflicted|spins?|loading)\b/i,
  ],
  ["refund", /\b(refund\w*|money back|charged twice|reimburse\w*)\b/i],
  ["billing_question", /\b(invoices?|price|cost|billed|billing|pay\w*|charge)\b/i],
  ["account_change", /\b(change|upgrade|downgrade|add|remove|delete|close)\b/i],
];

function branchEnum(request: RecordedRequest): string[] {
  const schema = request.body.response_format?.json_schema?.schema as
    | { properties?: { branch?: { enum?: string[] } } }
    | undefined;
  return schema?.properties?.branch?.enum ?? [];
}

function routeReply(request: RecordedRequest): ScriptedReply {
  const messages = request.body.messages ?? [];
  const text = messageText(messages.at(-1) ?? { role: "user" });
  const allowed = branchEnum(request);
  const match = ROUTES.find(([branch, pattern]) => allowed.includes(branch) && pattern.test(text));
  const branch =
    match?.[0] ??
    (allowed.includes("escalate_to_human") ? "escalate_to_human" : (allowed[0] ?? ""));
  return {
    kind: "json",
    value: {
      branch,
      reason: match ? `the message reads as ${branch}` : "nothing in the message fits a branch",
      confidence: match ? 0.9 : 0.55,
    },
    usage: { prompt: Math.ceil(JSON.stringify(messages).length / 4), completion: 24 },
  };
}

/** The conversation so far as the offline plan reads it. */
function answerInput(messages: readonly ChatCompletionMessage[]): OfflineAnswerInput {
  const request = messageText(
    messages.find((message) => message.role === "user") ?? { role: "user" },
  );
  const calls = new Map<string, { name: string; args: Record<string, unknown> }>();
  const results: OfflineToolResult[] = [];
  for (const message of messages) {
    for (const call of message.tool_calls ?? [])
      calls.set(call.id, {
        name: call.function.name,
        args: JSON.parse(call.function.arguments) as Record<string, unknown>,
      });
    if (message.role !== "tool") continue;
    const call = calls.get(message.tool_call_id ?? "");
    const result = messageText(message);
    results.push({
      tool: call?.name ?? "unknown",
      args: call?.args ?? {},
      result,
      failed: result.startsWith("Error:"),
    });
  }
  return { request, results };
}

const NAMED_TOOL = /\b(issue_refund|delete_account|shell|refund_order|reset_database)\b/;
const PLANTED_ARTICLE = /\bkb-[a-z0-9-]+\b/;

function agentReply(request: RecordedRequest): ScriptedReply {
  const messages = request.body.messages ?? [];
  const input = answerInput(messages);
  const turn = messages.filter((message) => message.role === "assistant").length + 1;
  const usage = { prompt: Math.ceil(JSON.stringify(messages).length / 4), completion: 60 };
  const { message } = parseTechnicalPrompt(input.request);
  const step = planTechnicalAnswer(input);
  const calls = [];
  const named = NAMED_TOOL.exec(message)?.[1];
  if (turn === 1 && named !== undefined)
    calls.push({
      id: `call_${turn}_named`,
      name: named,
      arguments: { rationale: "the customer asked for it by name" },
    });
  if ("call" in step) {
    calls.push({
      id: `call_${turn}_${step.call}`,
      name: step.call,
      arguments: { ...step.args, rationale: step.rationale },
    });
    return { kind: "tool_calls", calls, usage };
  }
  const answer: Record<string, unknown> =
    typeof step.answer === "string" ? { answer: step.answer } : { ...step.answer };
  const planted = PLANTED_ARTICLE.exec(message)?.[0];
  if (planted !== undefined && answer.resolution === "answered") answer.article = planted;
  return {
    kind: "tool_calls",
    calls: [{ id: `call_${turn}_final_answer`, name: "final_answer", arguments: answer }],
    usage,
  };
}

/** The stand-in's reply to one chat-completion request. */
export function standInReply(request: RecordedRequest): ScriptedReply {
  return (request.body.tools ?? []).length > 0 ? agentReply(request) : routeReply(request);
}
