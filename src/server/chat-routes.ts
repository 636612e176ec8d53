import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { type ChatAgent, validateChatMessage } from "../chat/chat-agent.ts";
import type { ChatEvent } from "../chat/chat-events.ts";
import {
  type CompletionRequest,
  CompletionRequest as CompletionRequestSchema,
  chunkOf,
  completionOf,
  historyKey,
  plainMessages,
  usageChunk,
} from "../chat/openai-wire.ts";
import { errorMessage, isSignalboxError } from "../errors.ts";
import { sendJson } from "./http-responses.ts";
import { readJsonBody } from "./read-json-body.ts";

/** The chat endpoint with server-sent events. */
export const CHAT_PATH = "/api/chat";
/** The OpenAI-compatible endpoints. */
export const COMPLETIONS_PATH = "/v1/chat/completions";
export const MODELS_PATH = "/v1/models";

/** What the chat routes need. */
export interface ChatRoutes {
  readonly chat: ChatAgent;
  readonly maxBodyBytes: number;
  /** OpenAI clients resend the whole history: its hash finds the conversation it continues. */
  readonly conversations: Map<string, string>;
}

const ChatBody = z.object({
  message: z.string(),
  conversationId: z.string().min(1).optional(),
});

/** True for paths the chat routes serve. */
export function isChatPath(path: string): boolean {
  return path === CHAT_PATH || path === COMPLETIONS_PATH || path === MODELS_PATH;
}

/** An error body both our clients and OpenAI clients read. */
export function sendChatError(response: ServerResponse, status: number, message: string): void {
  const type = status >= 500 ? "server_error" : "invalid_request_error";
  sendJson(response, status, { error: { message, type, code: status } });
}

/** Answers a failed turn: 404 for an unknown conversation, 400 for bad input, else 500. */
export function sendTurnError(response: ServerResponse, error: unknown): void {
  const status = isSignalboxError(error, "CONVERSATION_NOT_FOUND")
    ? 404
    : isSignalboxError(error, "INPUT_INVALID")
      ? 400
      : 500;
  sendChatError(response, status, errorMessage(error));
}

/** Reads the JSON body, answering 413/400 itself; undefined when it did. */
export async function readChatBody(
  routes: ChatRoutes,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<unknown> {
  const body = await readJsonBody(request, routes.maxBodyBytes);
  if (body.kind === "json") return body.value;
  if (body.kind === "too-large")
    sendChatError(response, 413, `request body larger than ${routes.maxBodyBytes} bytes`);
  else if (body.kind === "invalid") sendChatError(response, 400, body.message);
  return undefined;
}

/** Starts a server-sent event stream. */
export function openEventStream(response: ServerResponse, headers: Record<string, string> = {}) {
  response.writeHead(200, {
    "Content-Type": "text/event-stream",
    "Cache-Control": "no-cache",
    Connection: "keep-alive",
    ...headers,
  });
  response.flushHeaders();
}

function writeEvent(response: ServerResponse, event: string, data: unknown): void {
  if (!response.writableEnded) response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/** Aborts when the client goes away before the response ended. */
export function abortOnClose(response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  response.once("close", () => {
    if (!response.writableEnded) controller.abort();
  });
  return controller.signal;
}

async function handleChat(routes: ChatRoutes, request: IncomingMessage, response: ServerResponse) {
  const value = await readChatBody(routes, request, response);
  if (value === undefined) return;
  const parsed = ChatBody.safeParse(value);
  if (!parsed.success)
    return sendChatError(response, 400, 'expected {"message": string, "conversationId"?: string}');
  try {
    validateChatMessage(parsed.data.message);
    const { conversationId } = parsed.data;
    if (conversationId !== undefined && !(await routes.chat.exists(conversationId)))
      return sendChatError(response, 404, `no conversation with id "${conversationId}"`);
  } catch (error) {
    return sendTurnError(response, error);
  }
  openEventStream(response);
  try {
    const turn = await routes.chat.send({
      ...parsed.data,
      signal: abortOnClose(response),
      onEvent: (event: ChatEvent) => writeEvent(response, event.type, event),
    });
    writeEvent(response, "done", turn);
  } catch (error) {
    writeEvent(response, "error", { message: errorMessage(error) });
  }
  response.end();
}

/** Which conversation an OpenAI request continues: named, else found by its history, else new. */
function conversationFor(routes: ChatRoutes, request: IncomingMessage, body: CompletionRequest) {
  const header = request.headers["x-signalbox-conversation"];
  const named = typeof header === "string" && header !== "" ? header : body.conversation_id;
  if (named !== undefined) return named;
  return routes.conversations.get(historyKey(plainMessages(body).slice(0, -1)));
}

async function streamCompletion(
  response: ServerResponse,
  body: CompletionRequest,
  send: (
    onEvent: (event: ChatEvent) => void,
    signal: AbortSignal,
  ) => Promise<{ reply: string; conversationId: string }>,
) {
  const id = `chatcmpl-${Date.now().toString(36)}`;
  const data = (value: unknown) => {
    if (!response.writableEnded) response.write(`data: ${JSON.stringify(value)}\n\n`);
  };
  let streamed = false;
  const signal = abortOnClose(response);
  data(chunkOf(id, { role: "assistant", content: "" }));
  try {
    const turn = await send((event) => {
      if (event.type !== "token") return;
      streamed = true;
      data(chunkOf(id, { content: event.text }));
    }, signal);
    if (!streamed) data(chunkOf(id, { content: turn.reply }));
    data(chunkOf(id, {}, "stop"));
    if (body.stream_options?.include_usage) data(usageChunk(id));
  } catch (error) {
    data({ error: { message: errorMessage(error), type: "server_error" } });
  }
  response.end("data: [DONE]\n\n");
}

async function handleCompletions(
  routes: ChatRoutes,
  request: IncomingMessage,
  response: ServerResponse,
) {
  const value = await readChatBody(routes, request, response);
  if (value === undefined) return;
  const parsed = CompletionRequestSchema.safeParse(value);
  if (!parsed.success)
    return sendChatError(response, 400, 'expected {"messages": [{"role", "content"}, …]}');
  const body = parsed.data;
  const messages = plainMessages(body);
  const last = messages.at(-1);
  if (last?.role !== "user")
    return sendChatError(response, 400, "the last message must be the user's");
  const conversationId = conversationFor(routes, request, body);
  try {
    validateChatMessage(last.content);
    if (conversationId !== undefined && !(await routes.chat.exists(conversationId)))
      return sendChatError(response, 404, `no conversation with id "${conversationId}"`);
  } catch (error) {
    return sendTurnError(response, error);
  }
  const send = async (onEvent?: (event: ChatEvent) => void, signal?: AbortSignal) => {
    const turn = await routes.chat.send({ message: last.content, conversationId, onEvent, signal });
    const next = [...messages, { role: "assistant", content: turn.reply }];
    routes.conversations.set(historyKey(next), turn.conversationId);
    return turn;
  };
  if (body.stream === true) {
    openEventStream(response);
    return streamCompletion(response, body, send);
  }
  try {
    const turn = await send();
    sendJson(response, 200, completionOf(turn), {
      "X-Signalbox-Conversation": turn.conversationId,
    });
  } catch (error) {
    sendTurnError(response, error);
  }
}

/**
 * Serves `POST /api/chat` (server-sent events: tokens, tool calls, workflow
 * progress, approval requests, then `done` with the turn), `POST
 * /v1/chat/completions` (OpenAI-compatible, streaming and not) and `GET /v1/models`.
 */
export async function handleChatRoute(
  routes: ChatRoutes,
  path: string,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  if (path === MODELS_PATH && request.method === "GET")
    return sendJson(response, 200, {
      object: "list",
      data: [{ id: "signalbox", object: "model", created: 0, owned_by: "signalbox" }],
    });
  if (request.method !== "POST" || path === MODELS_PATH)
    return sendJson(
      response,
      405,
      { error: { message: `method ${request.method} not allowed`, type: "invalid_request_error" } },
      { Allow: path === MODELS_PATH ? "GET" : "POST" },
    );
  if (path === CHAT_PATH) return handleChat(routes, request, response);
  return handleCompletions(routes, request, response);
}
