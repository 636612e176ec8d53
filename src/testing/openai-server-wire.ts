/** Encoders for OpenAI chat-completion wire bodies: completions, stream chunks, errors. */

import type { ScriptedReply, ScriptedUsage } from "./openai-server-types.ts";

/** Usage reported when a scripted reply names none. */
const DEFAULT_USAGE: ScriptedUsage = { prompt: 10, completion: 5 };

/** How many pieces streamed content and tool arguments are split into. */
const STREAM_PIECES = 3;

/** A reply that produces an assistant message, with tool-call ids and arguments resolved. */
export interface AssistantAnswer {
  readonly content: string | null;
  readonly toolCalls: readonly { id: string; name: string; arguments: string }[];
  readonly usage: ScriptedUsage;
}

/** Per-response envelope fields: `id`, `created` and `model` are shared by all chunks. */
export interface ResponseEnvelope {
  readonly id: string;
  readonly created: number;
  readonly model: string;
}

/** Replies that produce an assistant message rather than a transport-level outcome. */
export type AnswerReply = Extract<ScriptedReply, { kind: "text" | "tool_calls" | "json" }>;

/** Resolves a scripted reply into the assistant message it stands for. */
export function toAnswer(reply: AnswerReply, nextToolCallId: () => string): AssistantAnswer {
  const usage = reply.usage ?? DEFAULT_USAGE;
  if (reply.kind === "text") return { content: reply.content, toolCalls: [], usage };
  if (reply.kind === "json") return { content: JSON.stringify(reply.value), toolCalls: [], usage };
  const toolCalls = reply.calls.map((call) => ({
    id: call.id ?? nextToolCallId(),
    name: call.name,
    arguments: JSON.stringify(call.arguments),
  }));
  return { content: reply.content ?? null, toolCalls, usage };
}

function finishReason(answer: AssistantAnswer): "stop" | "tool_calls" {
  return answer.toolCalls.length > 0 ? "tool_calls" : "stop";
}

function usageBody(usage: ScriptedUsage) {
  return {
    prompt_tokens: usage.prompt,
    completion_tokens: usage.completion,
    total_tokens: usage.prompt + usage.completion,
  };
}

/** The non-streaming `chat.completion` body. */
export function completionBody(answer: AssistantAnswer, envelope: ResponseEnvelope): object {
  const toolCalls = answer.toolCalls.map((call) => ({
    id: call.id,
    type: "function",
    function: { name: call.name, arguments: call.arguments },
  }));
  const message = {
    role: "assistant",
    content: answer.content,
    refusal: null,
    ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
  };
  return {
    ...envelope,
    object: "chat.completion",
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(answer) }],
    usage: usageBody(answer.usage),
    system_fingerprint: "fp_signalbox_test",
  };
}

/** Splits text into up to `count` pieces without breaking surrogate pairs. */
export function splitIntoPieces(text: string, count = STREAM_PIECES): string[] {
  const characters = Array.from(text);
  const size = Math.max(1, Math.ceil(characters.length / count));
  const pieces: string[] = [];
  for (let start = 0; start < characters.length; start += size)
    pieces.push(characters.slice(start, start + size).join(""));
  return pieces;
}

function toolCallDeltas(answer: AssistantAnswer): object[] {
  return answer.toolCalls.flatMap((call, index) => [
    {
      tool_calls: [
        { index, id: call.id, type: "function", function: { name: call.name, arguments: "" } },
      ],
    },
    ...splitIntoPieces(call.arguments).map((piece) => ({
      tool_calls: [{ index, function: { arguments: piece } }],
    })),
  ]);
}

/**
 * The `data:` payloads of a streamed answer, `[DONE]` included: the role, the content
 * in pieces, each tool call (name, then arguments in pieces), the finish reason and,
 * when `includeUsage`, a usage chunk with empty choices.
 */
export function streamPayloads(
  answer: AssistantAnswer,
  envelope: ResponseEnvelope,
  includeUsage: boolean,
): string[] {
  const base = {
    ...envelope,
    object: "chat.completion.chunk",
    system_fingerprint: "fp_signalbox_test",
  };
  const usageField = includeUsage ? { usage: null } : {};
  const chunk = (delta: object, finish: string | null = null) =>
    JSON.stringify({
      ...base,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...usageField,
    });
  const deltas: object[] = [
    { role: "assistant", content: answer.toolCalls.length > 0 ? null : "", refusal: null },
    ...splitIntoPieces(answer.content ?? "").map((piece) => ({ content: piece })),
    ...toolCallDeltas(answer),
  ];
  const payloads = [...deltas.map((delta) => chunk(delta)), chunk({}, finishReason(answer))];
  if (includeUsage)
    payloads.push(JSON.stringify({ ...base, choices: [], usage: usageBody(answer.usage) }));
  payloads.push("[DONE]");
  return payloads;
}

/** A body that starts like a completion and breaks off: not valid JSON. */
export const MALFORMED_JSON_BODY =
  '{"id":"chatcmpl-malformed","object":"chat.completion","choices":[';

/** A valid role chunk, then an SSE chunk that breaks off mid-JSON. */
export const MALFORMED_STREAM_PAYLOADS: readonly string[] = [
  '{"id":"chatcmpl-malformed","object":"chat.completion.chunk","created":0,"model":"test-model","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}',
  '{"id":"chatcmpl-malformed","choices":[{"delta":{"content":"Hel',
];

/** OpenAI's `type` for an error status. */
function errorType(status: number): string {
  if (status === 429) return "requests";
  if (status === 401) return "invalid_authentication";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

function errorCode(status: number): string | null {
  if (status === 429) return "rate_limit_exceeded";
  if (status === 401) return "invalid_api_key";
  if (status === 404) return "not_found";
  return null;
}

function defaultErrorMessage(status: number): string {
  if (status === 429) return "Rate limit reached for requests (scripted by the test server).";
  if (status >= 500) return "The server had an error while processing your request (scripted).";
  return `Scripted error with status ${status}.`;
}

/** OpenAI's error body: `{ error: { message, type, param, code } }`. */
export function errorBody(status: number, message = defaultErrorMessage(status), code?: string) {
  return {
    error: { message, type: errorType(status), param: null, code: code ?? errorCode(status) },
  };
}
