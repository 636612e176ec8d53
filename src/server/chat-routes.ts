import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { validateChatMessage } from "../chat/chat-agent.ts";
import type { ChatEvent } from "../chat/chat-events.ts";
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
import { handleCompletions } from "./completion-routes.ts";
import { sendJson } from "./http-responses.ts";

/** The chat endpoint with server-sent events. */
export const CHAT_PATH = "/api/chat";
/** The OpenAI-compatible endpoints. */
export const COMPLETIONS_PATH = "/v1/chat/completions";
export const MODELS_PATH = "/v1/models";

const ChatBody = z.object({
  message: z.string(),
  conversationId: z.string().min(1).optional(),
  user: z.string().optional(),
});

/** True for paths the chat routes serve. */
export function isChatPath(path: string): boolean {
  return path === CHAT_PATH || path === COMPLETIONS_PATH || path === MODELS_PATH;
}

function writeEvent(response: ServerResponse, event: string, data: unknown): void {
  if (!response.writableEnded) response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

async function handleChat(routes: ChatRoutes, request: IncomingMessage, response: ServerResponse) {
  const value = await readChatBody(routes, request, response);
  if (value === undefined) return;
  const parsed = ChatBody.safeParse(value);
  if (!parsed.success)
    return sendChatError(
      response,
      400,
      `${describeIssues(parsed.error.issues)}; expected {"message": string, "conversationId"?: string, "user"?: string}`,
    );
  let user: string;
  try {
    validateChatMessage(parsed.data.message);
    user = callerOf(routes, request, parsed.data.user);
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
      user,
      signal: abortOnClose(response),
      onEvent: (event: ChatEvent) => writeEvent(response, event.type, event),
    });
    writeEvent(response, "done", turn);
  } catch (error) {
    writeEvent(response, "error", { message: errorMessage(error) });
  }
  response.end();
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
