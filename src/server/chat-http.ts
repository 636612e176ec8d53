import type { IncomingMessage, ServerResponse } from "node:http";
import { ANONYMOUS_USER } from "../chat/approval-policy.ts";
import { type ChatAgent, validateChatUser } from "../chat/chat-agent.ts";
import { errorMessage, isSignalboxError } from "../errors.ts";
import { sendJson } from "./http-responses.ts";
import { readJsonBody } from "./read-json-body.ts";

/** Who is calling, from the request itself (e.g. a verified token or session); undefined: unknown. */
export type IdentifyCaller = (request: IncomingMessage) => string | undefined;

/** What the chat routes need. */
export interface ChatRoutes {
  readonly chat: ChatAgent;
  readonly maxBodyBytes: number;
  /**
   * OpenAI clients resend the whole history: its hash, with the caller, finds the
   * conversation an identified caller continues (see completion-routes.ts).
   */
  readonly conversations: Map<string, string>;
  /** When set, the only source of who is calling; else what the caller declares. */
  readonly identify?: IdentifyCaller;
}

/** The header a caller names itself with (when the server does not identify callers). */
export const USER_HEADER = "x-signalbox-user";

/**
 * Who is writing: the server's `identify` hook when there is one (what callers
 * declare is then ignored), else the `X-Signalbox-User` header, else the body's
 * `user`, else anonymous. Declared names are only as good as the bearer token
 * behind them: give `identify` to tie names to credentials.
 * @throws SignalboxError INPUT_INVALID for a name that is not 1 to 128 printable characters
 */
export function callerOf(
  routes: ChatRoutes,
  request: IncomingMessage,
  declared: string | undefined,
): string {
  if (routes.identify !== undefined) {
    const known = routes.identify(request);
    return known === undefined ? ANONYMOUS_USER : validateChatUser(known);
  }
  const header = request.headers[USER_HEADER];
  const named = typeof header === "string" ? header : declared;
  return named === undefined ? ANONYMOUS_USER : validateChatUser(named);
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

/** Aborts when the client goes away before the response ended. */
export function abortOnClose(response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  response.once("close", () => {
    if (!response.writableEnded) controller.abort();
  });
  return controller.signal;
}
