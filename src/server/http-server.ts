import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { type ChatAgent, type ChatAgentOptions, createChatAgent } from "../chat/chat-agent.ts";
import { ErrorCode, errorMessage, SignalboxError } from "../errors.ts";
import { createMcpServer } from "../mcp/create-mcp-server.ts";
import { createRuntimeMetrics, type RuntimeMetrics } from "../metrics/runtime-metrics.ts";
import type { Runtime } from "../runtime/runtime.ts";
import type { WebhookReceiver } from "../triggers/webhook-receiver.ts";
import { type ApiContext, handleApiRoute, isApiPath } from "./api/api-routes.ts";
import { type ChatRoutes, callerOf, type IdentifyCaller } from "./chat-http.ts";
import { handleChatRoute, isChatPath } from "./chat-routes.ts";
import {
  createDashboardAssets,
  defaultDashboardDirectory,
  isDashboardPath,
} from "./dashboard-assets.ts";
import { sendJson, sendJsonRpcError } from "./http-responses.ts";
import {
  allowedHostnames,
  checkBearer,
  checkHostAndOrigin,
  isLoopbackHost,
  type Refusal,
} from "./http-security.ts";
import { McpSessions } from "./mcp-sessions.ts";
import { readJsonBody, readRawBody } from "./read-json-body.ts";

/** Where the MCP endpoint lives. */
export const MCP_PATH = "/mcp";
/** Where Prometheus scrapes. */
export const METRICS_PATH = "/metrics";

/** Options for {@link startHttpServer}. */
export interface HttpServerOptions {
  /** Address to bind; default 127.0.0.1. Anything but loopback requires `token`. */
  readonly host?: string;
  /** Port; 0 picks a free one. Default 8765. */
  readonly port?: number;
  /** Bearer token every request must carry; required off loopback. */
  readonly token?: string;
  /** Extra Host names to accept besides loopback and the bound address (e.g. behind a proxy). */
  readonly allowedHosts?: readonly string[];
  /** Largest request body accepted (413 past it). Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** Most sessions open at once (503 past it). Default 1000. */
  readonly maxSessions?: number;
  /** Close MCP sessions idle this long (ms) with no request open; default 30 min. */
  readonly idleSessionMs?: number;
  readonly logger?: Logger;
  /** The chat behind `/api/chat` and `/v1/chat/completions`: an agent, or options for one (default: offline). */
  readonly chat?: ChatAgent | ChatAgentOptions;
  /**
   * Who is calling the chat endpoints, from the request (a verified token, a session
   * cookie, a header set by a trusted proxy). When given, it is the only source of who
   * approves and whose conversations are whose; without it callers name themselves
   * (`X-Signalbox-User` or the `user` field), which is only as trustworthy as the token.
   */
  readonly identify?: IdentifyCaller;
  /** Where saved eval results are read from for `/api/evals` (the CLI passes `<home>/evals`). */
  readonly evalsDirectory?: string;
  /** The built dashboard (`dist/ui`); default: the one shipped with this package. */
  readonly dashboardDirectory?: string;
  /**
   * The webhooks answered at `POST /hooks/<name>` (see `createWebhookReceiver`). Their
   * signatures authenticate them: they need no bearer token and pass no Host check.
   */
  readonly webhooks?: WebhookReceiver;
}

/** A running HTTP server. */
export interface SignalboxHttpServer {
  /** The MCP endpoint, e.g. `http://127.0.0.1:8765/mcp`. */
  readonly url: string;
  /** Open MCP sessions. */
  sessions(): number;
  /** Closes every session and stops listening (the runtime stays open). */
  close(): Promise<void>;
}

interface Endpoint {
  readonly allowed: ReadonlySet<string>;
  readonly token: string | undefined;
  readonly maxBodyBytes: number;
  readonly sessions: McpSessions;
  readonly logger: Logger;
  readonly chat: ChatRoutes;
  readonly api: ApiContext;
  readonly metrics: RuntimeMetrics;
  readonly dashboard: ReturnType<typeof createDashboardAssets>;
  readonly webhooks: WebhookReceiver | undefined;
}

async function sendMetrics(endpoint: Endpoint, request: IncomingMessage, response: ServerResponse) {
  if (request.method !== "GET")
    return sendJson(response, 405, { error: { message: "use GET" } }, { Allow: "GET" });
  const text = await endpoint.metrics.text();
  response.writeHead(200, { "Content-Type": endpoint.metrics.contentType });
  response.end(text);
}

/** Where webhooks are delivered: `/hooks/<name>`. */
export const HOOKS_PREFIX = "/hooks/";

/** The webhook name of a `/hooks/<name>` path (a malformed escape stays as written). */
function hookName(path: string): string {
  const name = path.slice(HOOKS_PREFIX.length);
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

async function handleHook(
  endpoint: Endpoint,
  name: string,
  request: IncomingMessage,
  response: ServerResponse,
) {
  if (request.method !== "POST")
    return sendJson(response, 405, { error: "webhooks take POST" }, { Allow: "POST" });
  if (endpoint.webhooks === undefined)
    return sendJson(response, 404, { error: "no webhooks are configured on this server" });
  const body = await readRawBody(request, endpoint.maxBodyBytes);
  if (body.kind === "aborted") return undefined;
  if (body.kind === "too-large")
    return sendJson(
      response,
      413,
      { error: `body larger than ${endpoint.maxBodyBytes} bytes` },
      {
        Connection: "close",
      },
    );
  const outcome = await endpoint.webhooks.deliver(name, request.headers, body.bytes);
  return sendJson(response, outcome.status, outcome.body);
}

function refuse(response: ServerResponse, refusal: Refusal): void {
  sendJsonRpcError(response, refusal.status, -32000, refusal.message, refusal.headers);
}

async function handlePost(endpoint: Endpoint, request: IncomingMessage, response: ServerResponse) {
  const body = await readJsonBody(request, endpoint.maxBodyBytes);
  switch (body.kind) {
    case "too-large":
      return sendJsonRpcError(
        response,
        413,
        -32000,
        `request body larger than ${endpoint.maxBodyBytes} bytes`,
        { Connection: "close" },
      );
    case "invalid":
      return sendJsonRpcError(response, 400, -32700, `Parse error: ${body.message}`);
    case "aborted":
      return undefined;
    case "json":
      return endpoint.sessions.handle(request, response, body.value);
  }
}

/** Answers 401 in the JSON shape of the chat and API endpoints; true when it did. */
function refusedBearer(endpoint: Endpoint, request: IncomingMessage, response: ServerResponse) {
  const refusal = checkBearer(request, endpoint.token);
  if (refusal)
    sendJson(response, refusal.status, { error: { message: refusal.message } }, refusal.headers);
  return refusal !== undefined;
}

async function route(endpoint: Endpoint, request: IncomingMessage, response: ServerResponse) {
  const url = new URL(request.url ?? "/", "http://localhost");
  // Signed deliveries from other machines: the signature is their authentication.
  if (url.pathname.startsWith(HOOKS_PREFIX))
    return handleHook(endpoint, hookName(url.pathname), request, response);
  const hostRefusal = checkHostAndOrigin(request, endpoint.allowed);
  if (hostRefusal) return refuse(response, hostRefusal);
  const path = url.pathname;
  if (isChatPath(path)) {
    if (refusedBearer(endpoint, request, response)) return;
    return handleChatRoute(endpoint.chat, path, request, response);
  }
  if (isApiPath(path)) {
    if (refusedBearer(endpoint, request, response)) return;
    return handleApiRoute(endpoint.api, url, request, response);
  }
  // The page and its assets hold no data and no secret: they load without the token,
  // and the page asks for it (sign-in) when the API answers 401.
  if (isDashboardPath(path)) return endpoint.dashboard(path, request, response);
  if (path === METRICS_PATH) {
    if (refusedBearer(endpoint, request, response)) return;
    return sendMetrics(endpoint, request, response);
  }
  if (path !== MCP_PATH)
    return sendJson(response, 404, {
      error: `not found; endpoints: ${MCP_PATH} (MCP), /api/chat, /v1/chat/completions, /v1/models, /api/runs (see docs/api.md), /metrics, ${HOOKS_PREFIX}<name> (webhooks)`,
    });
  const authRefusal = checkBearer(request, endpoint.token);
  if (authRefusal) return refuse(response, authRefusal);
  if (request.method === "POST") return handlePost(endpoint, request, response);
  if (request.method === "GET" || request.method === "DELETE")
    return endpoint.sessions.handle(request, response);
  return sendJsonRpcError(response, 405, -32000, `method ${request.method} not allowed`, {
    Allow: "GET, POST, DELETE",
  });
}

/**
 * Refuses to expose the runtime beyond this machine without a token.
 * @throws SignalboxError CONFIG_INVALID naming the address and how to fix it
 */
export function assertSafeBinding(host: string, token: string | undefined): void {
  if (isLoopbackHost(host) || token !== undefined) return;
  throw new SignalboxError(
    ErrorCode.ConfigInvalid,
    `refusing to serve on ${host} without a token: anyone who can reach it could run and approve workflows. Set SIGNALBOX_TOKEN or pass --token <secret>, or bind to 127.0.0.1.`,
  );
}

function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** The signalbox endpoints as a Node request handler, to mount in a server of your own. */
export interface SignalboxHttpHandler {
  /** Answers one request: `/mcp`, `/api/chat`, `/v1/chat/completions`, `/v1/models`, `/api/…` (docs/api.md), `/metrics`, the dashboard at `/`, else 404. */
  handle(request: IncomingMessage, response: ServerResponse): Promise<void>;
  /** Open MCP sessions. */
  sessions(): number;
  /** Closes every MCP session (the runtime stays open). */
  close(): Promise<void>;
}

/**
 * The HTTP endpoints of `signalbox serve` without a server of their own: MCP over
 * Streamable HTTP at `/mcp` (one session per client) and the chat endpoints, with
 * the same Host/Origin allow-list and bearer token checks. `host` names the address
 * your server binds, for the allow-list and the token rule.
 *
 * @throws SignalboxError CONFIG_INVALID when `host` is not loopback and there is no token
 * @example
 * ```ts
 * const signalbox = createHttpHandler(runtime, { host: "127.0.0.1" });
 * createServer((request, response) => void signalbox.handle(request, response)).listen(8080);
 * ```
 */
export function createHttpHandler(
  runtime: Runtime,
  options: HttpServerOptions = {},
): SignalboxHttpHandler {
  const host = options.host ?? "127.0.0.1";
  assertSafeBinding(host, options.token);
  const logger = options.logger ?? runtime.logger;
  const sessions = new McpSessions({
    createServer: () => createMcpServer(runtime, { logger }),
    logger,
    maxSessions: options.maxSessions ?? 1000,
    idleTimeoutMs: options.idleSessionMs,
  });
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const chat: ChatRoutes = {
    chat:
      options.chat === undefined || !("send" in options.chat)
        ? createChatAgent(runtime, { trigger: "http-chat", ...options.chat })
        : options.chat,
    maxBodyBytes,
    conversations: new Map(),
    identify: options.identify,
  };
  const endpoint: Endpoint = {
    allowed: allowedHostnames(host, options.allowedHosts),
    token: options.token,
    maxBodyBytes,
    sessions,
    logger,
    chat,
    api: {
      runtime,
      evalsDirectory: options.evalsDirectory,
      maxBodyBytes,
      identify: (request) => callerOf(chat, request, undefined),
      logger,
    },
    metrics: createRuntimeMetrics(runtime),
    dashboard: createDashboardAssets(options.dashboardDirectory ?? defaultDashboardDirectory()),
    webhooks: options.webhooks,
  };
  return {
    handle: (request, response) =>
      route(endpoint, request, response).catch((error: unknown) => {
        logger.error({ error: errorMessage(error), url: request.url }, "HTTP request failed");
        sendJsonRpcError(response, 500, -32603, "internal error");
      }),
    sessions: () => sessions.size,
    close: () => {
      endpoint.metrics.close();
      return sessions.closeAll();
    },
  };
}

/**
 * Serves MCP over Streamable HTTP at `/mcp`, one session per client, all over the
 * same runtime. Host/Origin allow-list (DNS-rebinding protection) always on;
 * bearer token when set, and required off loopback.
 *
 * @throws SignalboxError CONFIG_INVALID when binding beyond loopback without a token
 * @example
 * ```ts
 * const server = await startHttpServer(runtime, { port: 0 });
 * console.error(`listening on ${server.url}`);
 * ```
 */
export async function startHttpServer(
  runtime: Runtime,
  options: HttpServerOptions = {},
): Promise<SignalboxHttpServer> {
  const host = options.host ?? "127.0.0.1";
  const handler = createHttpHandler(runtime, { ...options, host });
  const server = createServer((request, response) => void handler.handle(request, response));
  const address = await listen(server, host, options.port ?? 8765);
  const shown = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}${MCP_PATH}`,
    sessions: handler.sessions,
    close: async () => {
      await handler.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
