import {
  createServer,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import type {
  ChatCompletionRequestBody,
  RecordedRequest,
  ReplyHandler,
  ScriptedReply,
} from "./openai-server-types.ts";
import {
  type AnswerReply,
  completionBody,
  errorBody,
  MALFORMED_JSON_BODY,
  MALFORMED_STREAM_PAYLOADS,
  type ResponseEnvelope,
  streamPayloads,
  toAnswer,
} from "./openai-server-wire.ts";

export type {
  ChatCompletionMessage,
  ChatCompletionRequestBody,
  ChatCompletionTool,
  RecordedRequest,
  ReplyHandler,
  ScriptedReply,
  ScriptedToolCall,
  ScriptedUsage,
} from "./openai-server-types.ts";
export { messageText, promptText } from "./openai-server-types.ts";

/** A running OpenAI-compatible test server; see {@link startOpenAiTestServer}. */
export interface OpenAiTestServer {
  /** Base URL including `/v1`, for `new ChatOpenAI({ configuration: { baseURL: url } })`. */
  readonly url: string;
  /** Every `POST /v1/chat/completions` received, in arrival order. */
  readonly requests: RecordedRequest[];
  /** Queues replies, answered in order to requests the handler leaves unanswered. */
  enqueue(...replies: ScriptedReply[]): void;
  /** Picks replies by request (consulted before the queue; `undefined` falls back to it). */
  respondWith(handler: ReplyHandler): void;
  /** Queued replies not consumed yet; a test should usually end with none. */
  remaining(): number;
  /** Stops listening and destroys every open connection, hanging ones included. */
  close(): Promise<void>;
}

/** Options of {@link startOpenAiTestServer}. */
export interface OpenAiTestServerOptions {
  /** Initial reply queue. */
  readonly replies?: readonly ScriptedReply[];
  /** Initial reply handler, as with `respondWith`. */
  readonly handler?: ReplyHandler;
  /** Model id listed by `GET /v1/models` and used when a request names none; "test-model". */
  readonly modelId?: string;
}

const CHAT_COMPLETIONS_ROUTE = "POST /v1/chat/completions";
const MODELS_ROUTE = "GET /v1/models";

/** Mutable state behind one server. */
interface ServerState {
  readonly queue: ScriptedReply[];
  readonly requests: RecordedRequest[];
  readonly modelId: string;
  handler: ReplyHandler | undefined;
  responseCount: number;
  toolCallCount: number;
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: OutgoingHttpHeaders = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function parseRequestBody(text: string): ChatCompletionRequestBody | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    const isObject = typeof parsed === "object" && parsed !== null && !Array.isArray(parsed);
    return isObject ? (parsed as ChatCompletionRequestBody) : undefined;
  } catch {
    return undefined;
  }
}

function nextReply(state: ServerState, recorded: RecordedRequest): ScriptedReply | undefined {
  return state.handler?.(recorded) ?? state.queue.shift();
}

function envelopeFor(state: ServerState, body: ChatCompletionRequestBody): ResponseEnvelope {
  state.responseCount += 1;
  return {
    id: `chatcmpl-test-${state.responseCount}`,
    created: Math.floor(Date.now() / 1000),
    model: typeof body.model === "string" ? body.model : state.modelId,
  };
}

function sendError(response: ServerResponse, reply: Extract<ScriptedReply, { kind: "error" }>) {
  const headers: OutgoingHttpHeaders = {};
  if (reply.retryAfterSeconds !== undefined)
    headers["retry-after"] = String(reply.retryAfterSeconds);
  sendJson(response, reply.status, reply.body ?? errorBody(reply.status, reply.message), headers);
}

function sendEventStream(response: ServerResponse, payloads: readonly string[]): void {
  response.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
  });
  for (const payload of payloads) response.write(`data: ${payload}\n\n`);
  response.end();
}

function sendMalformed(response: ServerResponse, streaming: boolean): void {
  if (!streaming) {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(MALFORMED_JSON_BODY);
    return;
  }
  sendEventStream(response, MALFORMED_STREAM_PAYLOADS);
}

function sendAnswer(
  state: ServerState,
  reply: AnswerReply,
  body: ChatCompletionRequestBody,
  response: ServerResponse,
): void {
  const answer = toAnswer(reply, () => `call_${++state.toolCallCount}`);
  const envelope = envelopeFor(state, body);
  if (body.stream !== true) {
    sendJson(response, 200, completionBody(answer, envelope));
    return;
  }
  const includeUsage = body.stream_options?.include_usage === true;
  sendEventStream(response, streamPayloads(answer, envelope, includeUsage));
}

function sendReply(
  state: ServerState,
  reply: ScriptedReply,
  body: ChatCompletionRequestBody,
  response: ServerResponse,
): void {
  switch (reply.kind) {
    case "error":
      sendError(response, reply);
      break;
    case "hang":
      break;
    case "reset":
      response.socket?.resetAndDestroy();
      break;
    case "malformed":
      sendMalformed(response, body.stream === true);
      break;
    default:
      sendAnswer(state, reply, body, response);
  }
}

async function handleChatCompletion(
  state: ServerState,
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
): Promise<void> {
  const body = parseRequestBody(await readBody(request));
  if (body === undefined) {
    sendJson(response, 400, errorBody(400, "The request body is not a JSON object."));
    return;
  }
  const recorded: RecordedRequest = { path, headers: { ...request.headers }, body, at: Date.now() };
  state.requests.push(recorded);
  const reply = nextReply(state, recorded);
  if (reply !== undefined) {
    sendReply(state, reply, body, response);
    return;
  }
  const message = `signalbox OpenAI test server: no scripted reply left for request #${state.requests.length} (${CHAT_COMPLETIONS_ROUTE}).`;
  sendJson(response, 500, errorBody(500, message, "no_scripted_reply"));
}

function listModels(state: ServerState, response: ServerResponse): void {
  const model = { id: state.modelId, object: "model", created: 0, owned_by: "signalbox-test" };
  sendJson(response, 200, { object: "list", data: [model] });
}

function route(state: ServerState, request: IncomingMessage, response: ServerResponse): void {
  const path = new URL(request.url ?? "/", "http://127.0.0.1").pathname;
  const key = `${request.method ?? "GET"} ${path}`;
  if (key === CHAT_COMPLETIONS_ROUTE) {
    handleChatCompletion(state, request, response, path).catch(() => response.destroy());
    return;
  }
  request.resume();
  if (key === MODELS_ROUTE) {
    listModels(state, response);
    return;
  }
  const message = `signalbox OpenAI test server: no route for ${key}.`;
  sendJson(response, 404, errorBody(404, message, "unknown_url"));
}

/**
 * Starts a local OpenAI-compatible server on 127.0.0.1 (ephemeral port) that answers
 * `POST /v1/chat/completions` from scripted replies, plain or streamed (SSE), and records
 * every request. With no reply left it answers 500 `no_scripted_reply`, so unexpected
 * calls fail loudly (mind that LangChain retries 5xx unless `maxRetries: 0`).
 */
export async function startOpenAiTestServer(
  options: OpenAiTestServerOptions = {},
): Promise<OpenAiTestServer> {
  const state: ServerState = {
    queue: [...(options.replies ?? [])],
    requests: [],
    modelId: options.modelId ?? "test-model",
    handler: options.handler,
    responseCount: 0,
    toolCallCount: 0,
  };
  const server = createServer((request, response) => route(state, request, response));
  server.on("clientError", (_error, socket) => socket.destroy());
  // Idle keep-alive connections are left for the client to close. With Node's default
  // (the server drops them after 5 s), a process that blocked its event loop past that
  // (training a classifier, say) wrote its next requests on pooled sockets the server's
  // late idle timers then destroyed: every concurrent call failed with ECONNRESET at once.
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests: state.requests,
    enqueue: (...replies) => {
      state.queue.push(...replies);
    },
    respondWith: (handler) => {
      state.handler = handler;
    },
    remaining: () => state.queue.length,
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (!server.listening) return resolve();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
