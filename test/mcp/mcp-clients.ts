import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  type CallToolResult,
  CallToolResultSchema,
  ElicitRequestSchema,
  type ElicitResult,
  LoggingMessageNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import type { RunResult } from "../../src/mcp/run-result.ts";
import { REPO_ROOT } from "../fixtures/child-process.ts";

/** An example input from examples/, as a user would pass it. */
export function example(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(REPO_ROOT, "examples", `${name}.json`), "utf8")) as Record<
    string,
    unknown
  >;
}

/** How a test client answers approval forms; without one it does not declare elicitation. */
export type FormAnswer = (message: string) => ElicitResult;

/** A connected SDK client with what the server sent it. */
export interface TestClient {
  readonly client: Client;
  readonly logs: unknown[];
  readonly forms: string[];
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
  return { client, logs, forms, stderr: () => stderr, close: () => client.close() };
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
  return { client, logs, forms, transport, stderr: () => "", close: () => client.close() };
}

/** Calls a tool, collecting the progress messages it sent. */
export async function callWithProgress(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<{ result: CallToolResult; run: RunResult; progress: string[] }> {
  const progress: string[] = [];
  const result = (await client.callTool({ name, arguments: args }, CallToolResultSchema, {
    onprogress: (update) => progress.push(update.message ?? ""),
    resetTimeoutOnProgress: true,
  })) as CallToolResult;
  return { result, run: result.structuredContent as RunResult, progress };
}

/** The text of a tool result's first content block. */
export function textOf(result: CallToolResult): string {
  const [first] = result.content;
  return first?.type === "text" ? first.text : "";
}
