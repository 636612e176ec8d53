import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import {
  type CallToolResult,
  CallToolResultSchema,
  ElicitRequestSchema,
  type ElicitResult,
  isJSONRPCNotification,
  isJSONRPCRequest,
  type JSONRPCMessage,
  LoggingMessageNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import type { RunResult } from "../../src/analytics/run-result.ts";
import { REPO_ROOT } from "../fixtures/child-process.ts";

/**
 * The tools a server over the shipped workflows lists: one per workflow (support_triage,
 * draft_reply, media_intake) plus the run tools. Shared so the suites that count them agree.
 */
export const SHIPPED_TOOL_NAMES = [
  "approve_run",
  "cancel_run",
  "correct_decision",
  "draft_reply",
  "dry_run",
  "get_run",
  "list_runs",
  "media_intake",
  "support_triage",
] as const;

/** An example input from examples/, as a user would pass it. */
export function example(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(REPO_ROOT, "examples", `${name}.json`), "utf8")) as Record<
    string,
    unknown
  >;
}

/** How a test client answers approval forms; without one it does not declare elicitation. */
export type FormAnswer = (message: string) => ElicitResult;

/**
 * Progress messages recorded off the wire, per call, in arrival order.
 *
 * The SDK's `onprogress` cannot be trusted for the last notifications of a call:
 * it dispatches notifications a microtask later but drops a call's progress
 * handler as soon as its result is read, so when the last progress notification
 * and the result arrive in one chunk (stdio or SSE under load), that notification
 * is discarded (issue #11, item 10: `approve_refund: waiting for approval…` went
 * missing). The server sends every notification before the result, so reading
 * them where they come in, before the SDK sees them, gives all of them.
 */
export class ProgressWire {
  private readonly byMarker = new Map<string, string[]>();
  private readonly byToken = new Map<string, string[]>();

  /** Wraps a connected transport's `send` and `onmessage`; call after `client.connect`. */
  attach(transport: Transport): void {
    const send = transport.send.bind(transport);
    transport.send = (message, options) => {
      this.noteRequest(message);
      return send(message, options);
    };
    const dispatch = transport.onmessage;
    transport.onmessage = (message, extra) => {
      this.noteNotification(message);
      dispatch?.(message, extra);
    };
  }

  /** The `_meta` that ties a call to its messages; pass it in the call's params. */
  open(marker: string): { readonly meta: Record<string, string>; readonly messages: string[] } {
    const messages: string[] = [];
    this.byMarker.set(marker, messages);
    return { meta: { [MARKER_KEY]: marker }, messages };
  }

  private noteRequest(message: JSONRPCMessage): void {
    if (!isJSONRPCRequest(message)) return;
    const meta = message.params?._meta as Record<string, unknown> | undefined;
    const messages = this.byMarker.get(String(meta?.[MARKER_KEY]));
    if (messages !== undefined && meta?.progressToken !== undefined)
      this.byToken.set(String(meta.progressToken), messages);
  }

  private noteNotification(message: JSONRPCMessage): void {
    if (!isJSONRPCNotification(message) || message.method !== "notifications/progress") return;
    const params = message.params as { progressToken?: unknown; message?: string } | undefined;
    this.byToken.get(String(params?.progressToken))?.push(params?.message ?? "");
  }
}

const MARKER_KEY = "signalbox-test/call";
let calls = 0;

/** A connected SDK client with what the server sent it. */
export interface TestClient {
  readonly client: Client;
  readonly logs: unknown[];
  readonly forms: string[];
  readonly progress: ProgressWire;
  /** Server stderr, for failure messages (stdio only). */
  stderr(): string;
  close(): Promise<void>;
}

function createClient(name: string, answer?: FormAnswer) {
  const client = new Client(
    { name, version: "1.0.0" },
    { capabilities: answer ? { elicitation: { form: {} } } : {} },
  );
  const logs: unknown[] = [];
  const forms: string[] = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
    logs.push(notification.params.data);
  });
  if (answer)
    client.setRequestHandler(ElicitRequestSchema, (request) => {
      forms.push(request.params.message);
      return answer(request.params.message);
    });
  return { client, logs, forms };
}

/** Spawns `node bin/signalbox.js --home <home> mcp` and connects a client to it over stdio. */
export async function connectStdio(
  home: string,
  options: { name?: string; answer?: FormAnswer } = {},
): Promise<TestClient> {
  const { client, logs, forms } = createClient(options.name ?? "stdio-test", options.answer);
  const env = { ...process.env } as Record<string, string>;
  delete env.SIGNALBOX_HOME;
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ["bin/signalbox.js", "--home", home, "mcp"],
    cwd: REPO_ROOT,
    env,
    stderr: "pipe",
  });
  let stderr = "";
  (transport.stderr as Readable | null)?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  await client.connect(transport);
  const progress = new ProgressWire();
  progress.attach(transport);
  return { client, logs, forms, progress, stderr: () => stderr, close: () => client.close() };
}

/** Connects a client to a Streamable HTTP endpoint (optionally with a bearer token). */
export async function connectHttp(
  url: string,
  options: { name?: string; answer?: FormAnswer; token?: string } = {},
): Promise<TestClient & { transport: StreamableHTTPClientTransport }> {
  const { client, logs, forms } = createClient(options.name ?? "http-test", options.answer);
  const headers: Record<string, string> = options.token
    ? { Authorization: `Bearer ${options.token}` }
    : {};
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
  await client.connect(transport);
  const progress = new ProgressWire();
  progress.attach(transport);
  return {
    client,
    logs,
    forms,
    progress,
    transport,
    stderr: () => "",
    close: () => client.close(),
  };
}

/**
 * Calls a tool, collecting every progress message it sent (read off the wire, see
 * {@link ProgressWire}); all of them are in when the result is.
 */
export async function callWithProgress(
  test: Pick<TestClient, "client" | "progress">,
  name: string,
  args: Record<string, unknown>,
): Promise<{ result: CallToolResult; run: RunResult; progress: string[] }> {
  calls += 1;
  const call = test.progress.open(`${process.pid}-${calls}`);
  const result = (await test.client.callTool(
    { name, arguments: args, _meta: call.meta },
    CallToolResultSchema,
    // The SDK's handler is still asked for, so progress keeps resetting the timeout.
    { onprogress: () => {}, resetTimeoutOnProgress: true },
  )) as CallToolResult;
  return { result, run: result.structuredContent as RunResult, progress: call.messages };
}

/** The text of a tool result's first content block. */
export function textOf(result: CallToolResult): string {
  const [first] = result.content;
  return first?.type === "text" ? first.text : "";
}
