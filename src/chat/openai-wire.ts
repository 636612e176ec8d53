import { createHash } from "node:crypto";
import { z } from "zod";
import type { ChatTurn } from "./chat-agent.ts";

/** The model name signalbox answers to on its OpenAI-compatible endpoint. */
export const OPENAI_MODEL_NAME = "signalbox";

const ContentPart = z.looseObject({ type: z.string(), text: z.string().optional() });
const WireMessage = z.looseObject({
  role: z.string(),
  content: z.union([z.string(), z.array(ContentPart), z.null()]).optional(),
});

/** A chat completion request; lenient where harmless (unknown fields are ignored). */
export const CompletionRequest = z.looseObject({
  model: z.string().optional(),
  messages: z.array(WireMessage).min(1),
  stream: z.boolean().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  conversation_id: z.string().min(1).optional(),
  /** OpenAI's end-user id; signalbox reads it as who is writing (unless the server identifies callers). */
  user: z.string().optional(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
});
export type CompletionRequest = z.infer<typeof CompletionRequest>;
type WireMessage = z.infer<typeof WireMessage>;

/** A message's text: the string, or its text parts joined. */
export function wireText(message: WireMessage): string {
  const { content } = message;
  if (typeof content === "string") return content;
  return (content ?? []).map((part) => part.text ?? "").join("");
}

/**
 * The conversation a client sends, without system messages, as a stable key within
 * one caller's conversations: two callers with the same history get different keys
 * (issue #11: a follow-up landed in another client's conversation).
 */
export function historyKey(
  caller: string,
  messages: readonly { role: string; content: string }[],
): string {
  const relevant = messages
    .filter((message) => message.role === "user" || message.role === "assistant")
    .map((message) => [message.role, message.content.trim()]);
  return createHash("sha256")
    .update(JSON.stringify([caller, relevant]))
    .digest("hex");
}

/** The ids an answer carries besides OpenAI's fields (clients ignore unknown fields). */
export interface ConversationRef {
  readonly conversationId: string;
  readonly turnRunId: string;
}

/** The request's messages as role and text. */
export function plainMessages(request: CompletionRequest) {
  return request.messages.map((message) => ({ role: message.role, content: wireText(message) }));
}

/** The non-streaming answer, with signalbox's ids alongside (OpenAI clients ignore them). */
export function completionOf(turn: ChatTurn) {
  return {
    id: `chatcmpl-${turn.turnRunId}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: OPENAI_MODEL_NAME,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: turn.reply },
        finish_reason: "stop",
        logprobs: null,
      },
    ],
    usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
    signalbox: {
      conversation_id: turn.conversationId,
      turn_run_id: turn.turnRunId,
      runs: turn.runs,
    },
  };
}

/** One streamed chunk: a content delta, or the last one with its finish reason; each names its conversation. */
export function chunkOf(
  ref: ConversationRef,
  delta: { role?: "assistant"; content?: string },
  finish: "stop" | null = null,
) {
  return {
    id: `chatcmpl-${ref.turnRunId}`,
    object: "chat.completion.chunk",
    created: Math.floor(Date.now() / 1000),
    model: OPENAI_MODEL_NAME,
    choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    signalbox: { conversation_id: ref.conversationId, turn_run_id: ref.turnRunId },
  };
}

/** The usage chunk clients asking `stream_options.include_usage` expect last. */
export function usageChunk(ref: ConversationRef) {
  return {
    id: `chatcmpl-${ref.turnRunId}`,
    object: "chat.completion.chunk",
    created: Math.floor(Date.now() / 1000),
    model: OPENAI_MODEL_NAME,
    choices: [],
    usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
    signalbox: { conversation_id: ref.conversationId, turn_run_id: ref.turnRunId },
  };
}
