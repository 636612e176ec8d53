import type { IncomingMessage, ServerResponse } from "node:http";
import { ANONYMOUS_USER } from "../chat/approval-policy.ts";
import { type ChatTurn, validateChatMessage } from "../chat/chat-agent.ts";
import type { ChatEvent } from "../chat/chat-events.ts";
import {
  type CompletionRequest,
  CompletionRequest as CompletionRequestSchema,
  type ConversationRef,
  chunkOf,
  completionOf,
  historyKey,
  plainMessages,
  usageChunk,
} from "../chat/openai-wire.ts";
import { errorMessage } from "../errors.ts";
import { describeIssues } from "../validation.ts";
import {
  abortOnClose,
  type ChatRoutes,
  callerOf,
  openEventStream,
  readChatBody,
  sendChatError,
  sendTurnError,
} from "./chat-http.ts";
import { sendJson } from "./http-responses.ts";

/** The header that names a conversation, in requests and in every answer. */
export const CONVERSATION_HEADER = "X-Signalbox-Conversation";
/** Histories remembered for callers that continue by resending them (oldest forgotten first). */
const MAX_REMEMBERED_HISTORIES = 10_000;

type Message = { role: string; content: string };

function namedConversation(request: IncomingMessage, body: CompletionRequest) {
  const header = request.headers[CONVERSATION_HEADER.toLowerCase()];
  if (typeof header === "string" && header !== "") return header;
  const fromMetadata = body.metadata?.conversation_id;
  return body.conversation_id ?? (typeof fromMetadata === "string" ? fromMetadata : undefined);
}

/**
 * Which conversation a request continues: the one it names (header, `conversation_id`,
 * `metadata.conversation_id`); else, for an identified caller, the one whose history it
 * resends, among that caller's own; else a new one. An anonymous caller's history is
 * never matched: two clients sending the same first message would share a conversation
 * (issue #11: client A's follow-up ran a refund inside client B's conversation).
 */
function conversationFor(
  routes: ChatRoutes,
  request: IncomingMessage,
  body: CompletionRequest,
  caller: string,
): string | undefined {
  const named = namedConversation(request, body);
  if (named !== undefined || caller === ANONYMOUS_USER) return named;
  return routes.conversations.get(historyKey(caller, plainMessages(body).slice(0, -1)));
}

function remember(routes: ChatRoutes, caller: string, history: Message[], turn: ChatTurn): void {
  if (caller === ANONYMOUS_USER) return;
  const { conversations } = routes;
  conversations.set(historyKey(caller, history), turn.conversationId);
  if (conversations.size > MAX_REMEMBERED_HISTORIES)
    conversations.delete(conversations.keys().next().value as string);
}

type Send = (onEvent: (event: ChatEvent) => void, signal?: AbortSignal) => Promise<ChatTurn>;

/**
 * Streams the answer. Headers go out when the turn has started, so the stream names
 * its conversation (header and every chunk) and a turn refused before it started
 * (busy, invalid) still gets a plain JSON error with its status.
 */
async function streamCompletion(response: ServerResponse, body: CompletionRequest, send: Send) {
  let ref: ConversationRef | undefined;
  let streamed = false;
  const data = (value: unknown) => {
    if (!response.writableEnded) response.write(`data: ${JSON.stringify(value)}\n\n`);
  };
  const onEvent = (event: ChatEvent) => {
    if (event.type === "turn-start") {
      ref = event;
      openEventStream(response, { [CONVERSATION_HEADER]: event.conversationId });
      data(chunkOf(ref, { role: "assistant", content: "" }));
    } else if (event.type === "token" && ref !== undefined) {
      streamed = true;
      data(chunkOf(ref, { content: event.text }));
    }
  };
  try {
    const turn = await send(onEvent, abortOnClose(response));
    const done = ref ?? turn;
    if (!streamed) data(chunkOf(done, { content: turn.reply }));
    data(chunkOf(done, {}, "stop"));
    if (body.stream_options?.include_usage) data(usageChunk(done));
  } catch (error) {
    if (ref === undefined) return sendTurnError(response, error);
    data({ error: { message: errorMessage(error), type: "server_error" } });
  }
  response.end("data: [DONE]\n\n");
}

/** `POST /v1/chat/completions`: OpenAI-compatible, streaming and not; every answer names its conversation. */
export async function handleCompletions(
  routes: ChatRoutes,
  request: IncomingMessage,
  response: ServerResponse,
) {
  const value = await readChatBody(routes, request, response);
  if (value === undefined) return;
  const parsed = CompletionRequestSchema.safeParse(value);
  if (!parsed.success)
    return sendChatError(
      response,
      400,
      `${describeIssues(parsed.error.issues)}; expected {"messages": [{"role", "content"}, …]}`,
    );
  const body = parsed.data;
  const messages = plainMessages(body);
  const last = messages.at(-1);
  if (last?.role !== "user")
    return sendChatError(response, 400, "the last message must be the user's");
  let caller: string;
  let conversationId: string | undefined;
  try {
    validateChatMessage(last.content);
    caller = callerOf(routes, request, body.user);
    conversationId = conversationFor(routes, request, body, caller);
    if (conversationId !== undefined && !(await routes.chat.exists(conversationId)))
      return sendChatError(response, 404, `no conversation with id "${conversationId}"`);
  } catch (error) {
    return sendTurnError(response, error);
  }
  const send: Send = async (onEvent, signal) => {
    const turn = await routes.chat.send({
      message: last.content,
      conversationId,
      user: caller,
      onEvent,
      signal,
    });
    remember(routes, caller, [...messages, { role: "assistant", content: turn.reply }], turn);
    return turn;
  };
  if (body.stream === true) return streamCompletion(response, body, send);
  try {
    const turn = await send(() => {});
    sendJson(response, 200, completionOf(turn), { [CONVERSATION_HEADER]: turn.conversationId });
  } catch (error) {
    sendTurnError(response, error);
  }
}
