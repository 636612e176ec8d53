import { AIMessage, HumanMessage } from "@langchain/core/messages";
import { ChatOpenAI } from "@langchain/openai";
import { afterEach, describe, expect, it } from "vitest";
import type { Runtime } from "../../src/runtime/runtime.ts";
import {
  type HttpServerOptions,
  type SignalboxHttpServer,
  startHttpServer,
} from "../../src/server/http-server.ts";
import { createBuiltinWorkflows } from "../../src/workflows/index.ts";
import { openTestRuntime, tempHome } from "../support/runtime.ts";

const REQUEST =
  "Customer C-1005: the software did not work for us at all. I want my money back for order 5031.";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(maxBodyBytes?: number, options: Pick<HttpServerOptions, "identify"> = {}) {
  const { home, cleanup } = tempHome();
  const { runtime } = openTestRuntime(home, createBuiltinWorkflows({ home }));
  const server: SignalboxHttpServer = await startHttpServer(runtime, {
    port: 0,
    maxBodyBytes,
    ...options,
  });
  cleanups.push(
    cleanup,
    () => runtime.close(),
    () => server.close(),
  );
  return { runtime, base: server.url.replace(/\/mcp$/, "") };
}

interface SseEvent {
  readonly event: string;
  readonly data: Record<string, unknown>;
}

async function postChat(
  base: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<SseEvent[]> {
  const response = await fetch(`${base}/api/chat`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  expect(response.headers.get("content-type")).toBe("text/event-stream");
  const text = await response.text();
  return text
    .split("\n\n")
    .filter((block) => block.trim() !== "")
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? "";
      const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? "null") as SseEvent["data"];
      return { event, data };
    });
}

describe("POST /api/chat (server-sent events)", () => {
  it("streams tool calls, workflow progress and the approval request, then approves", async () => {
    const { base } = await serve();
    const events = await postChat(base, { message: REQUEST });
    const types = events.map((event) => event.event);
    expect(types[0]).toBe("turn-start");
    expect(types).toContain("tool-call");
    expect(types).toContain("run-progress");
    expect(types).toContain("approval-request");
    expect(types.slice(-2)).toEqual(["turn-end", "done"]);
    const conversationId = String(events[0]?.data.conversationId);
    // Someone other than the (anonymous) requester approves: issue #11.
    const next = await postChat(
      base,
      { conversationId, message: "approve" },
      { "X-Signalbox-User": "lead" },
    );
    const done = next.at(-1)?.data as { runs: { status: string }[] };
    expect(done.runs[0]?.status).toBe("succeeded");
  });

  it("answers bad input with clear errors", async () => {
    const { base } = await serve(2048);
    const post = (body: string) =>
      fetch(`${base}/api/chat`, {
        method: "POST",
        body,
        headers: { "Content-Type": "application/json" },
      });
    const empty = await post(JSON.stringify({ message: "" }));
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({
      error: { message: expect.stringMatching(/empty/) },
    });
    const unknown = await post(JSON.stringify({ message: "hi", conversationId: "conv-x" }));
    expect(unknown.status).toBe(404);
    const large = await post(JSON.stringify({ message: "x".repeat(5000) }));
    expect(large.status).toBe(413);
    const broken = await post("{not json");
    expect(broken.status).toBe(400);
  });
});

describe("POST /v1/chat/completions (OpenAI-compatible)", () => {
  function client(
    base: string,
    streaming: boolean,
    options: { user?: string; headers?: Record<string, string> } = {},
  ) {
    return new ChatOpenAI({
      model: "signalbox",
      apiKey: "unused",
      streaming,
      user: options.user,
      configuration: { baseURL: `${base}/v1`, defaultHeaders: options.headers },
      maxRetries: 0,
    });
  }

  it("talks to ChatOpenAI as a model, continuing the conversation from its history", async () => {
    const { base, runtime } = await serve();
    // History is matched within one caller's conversations: ChatOpenAI names its user.
    const model = client(base, false, { user: "ada" });
    const first = await model.invoke([new HumanMessage(REQUEST)]);
    expect(String(first.content)).toMatch(/waiting for your approval/);
    const second = await model.invoke([
      new HumanMessage(REQUEST),
      new AIMessage(String(first.content)),
      new HumanMessage("yes"),
    ]);
    expect(String(second.content)).toMatch(/ada asked for run \S+ and may not approve it too/);
    const turns = await runtime.list({ workflow: "chat" });
    expect(new Set(turns.map((turn) => turn.parentRunId)).size).toBe(1);
    const conversation = turns[0]?.parentRunId ?? "";
    const lead = client(base, false, {
      headers: { "X-Signalbox-User": "lead", "X-Signalbox-Conversation": conversation },
    });
    const third = await lead.invoke([new HumanMessage("yes")]);
    expect(String(third.content)).toMatch(/support_triage run \S+ is succeeded/);
    const runs = await runtime.list({ workflow: "support_triage" });
    expect(runs.map((run) => run.status)).toEqual(["succeeded"]);
    const { approvals } = await runtime.get(runs[0]?.id ?? "");
    expect(approvals[0]?.decidedBy).toBe("http-chat:lead");
  });

  it("streams", async () => {
    const { base } = await serve();
    const chunks: string[] = [];
    for await (const chunk of await client(base, true).stream([new HumanMessage(REQUEST)]))
      chunks.push(String(chunk.content));
    expect(chunks.join("")).toMatch(/waiting for your approval/);
  });

  it("rejects a request whose last message is not the user's", async () => {
    const { base } = await serve();
    const response = await fetch(`${base}/v1/chat/completions`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        model: "signalbox",
        messages: [{ role: "assistant", content: "hi" }],
      }),
    });
    expect(response.status).toBe(400);
  });
});

describe("conversations and callers over /v1/chat/completions (issue #11)", () => {
  const ASK = "I want a refund";

  async function complete(
    base: string,
    body: Record<string, unknown>,
    headers: Record<string, string> = {},
  ) {
    const response = await fetch(`${base}/v1/chat/completions`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...headers },
      body: JSON.stringify({ model: "signalbox", ...body }),
    });
    const json = (await response.json()) as {
      choices: { message: { content: string } }[];
      signalbox: { conversation_id: string };
    };
    const conversation = response.headers.get("x-signalbox-conversation");
    expect(json.signalbox.conversation_id).toBe(conversation);
    return { status: response.status, conversation, reply: json.choices[0]?.message.content ?? "" };
  }

  async function turnsOf(runtime: { list: Runtime["list"] }, conversation: string | null) {
    return runtime.list({ workflow: "chat", parentRunId: conversation ?? "" });
  }

  it("never continues another client's conversation from a history they share", async () => {
    const { base, runtime } = await serve();
    const a = await complete(base, { messages: [{ role: "user", content: ASK }] });
    const b = await complete(base, { messages: [{ role: "user", content: ASK }] });
    expect(a.reply).toBe(b.reply);
    expect(a.conversation).not.toBe(b.conversation);
    // Client A's follow-up, resending a history client B has too, without naming a conversation:
    const followUp = await complete(base, {
      messages: [
        { role: "user", content: ASK },
        { role: "assistant", content: a.reply },
        { role: "user", content: "C-1001" },
      ],
    });
    expect(followUp.conversation).not.toBe(b.conversation);
    expect(await turnsOf(runtime, b.conversation)).toHaveLength(1);
  });

  it("matches a resent history only among the same caller's conversations", async () => {
    const { base, runtime } = await serve();
    const ada = await complete(base, { user: "ada", messages: [{ role: "user", content: ASK }] });
    const bob = await complete(base, { user: "bob", messages: [{ role: "user", content: ASK }] });
    const history = [
      { role: "user", content: ASK },
      { role: "assistant", content: ada.reply },
      { role: "user", content: "C-1001" },
    ];
    const adaNext = await complete(base, { user: "ada", messages: history });
    expect(adaNext.conversation).toBe(ada.conversation);
    const bobNext = await complete(base, { messages: history }, { "X-Signalbox-User": "bob" });
    expect(bobNext.conversation).toBe(bob.conversation);
    expect(await turnsOf(runtime, ada.conversation)).toHaveLength(2);
    expect(await turnsOf(runtime, bob.conversation)).toHaveLength(2);
  });

  it("names the conversation in a streamed answer: header and every chunk", async () => {
    const { base } = await serve();
    const response = await fetch(`${base}/v1/chat/completions`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        model: "signalbox",
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: "user", content: REQUEST }],
      }),
    });
    const conversation = response.headers.get("x-signalbox-conversation");
    expect(conversation).toMatch(/^conv-/);
    const chunks = (await response.text())
      .split("\n\n")
      .filter((block) => block.startsWith("data: {"))
      .map((block) => JSON.parse(block.slice(6)) as { signalbox?: { conversation_id: string } });
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) expect(chunk.signalbox?.conversation_id).toBe(conversation);
    const next = await complete(
      base,
      { messages: [{ role: "user", content: "reject" }] },
      { "X-Signalbox-Conversation": conversation ?? "" },
    );
    expect(next.conversation).toBe(conversation);
  });

  it("takes who is calling from the server's identify hook, ignoring what callers declare", async () => {
    const { base, runtime } = await serve(undefined, {
      identify: (request) => (request.headers["x-test-login"] as string | undefined) ?? undefined,
    });
    const first = await complete(
      base,
      { messages: [{ role: "user", content: REQUEST }] },
      { "x-test-login": "ada" },
    );
    const spoofed = await complete(
      base,
      { user: "lead", messages: [{ role: "user", content: "yes" }] },
      {
        "x-test-login": "ada",
        "X-Signalbox-User": "lead",
        "X-Signalbox-Conversation": first.conversation ?? "",
      },
    );
    expect(spoofed.reply).toMatch(/ada asked for run \S+ and may not approve it too/);
    await complete(
      base,
      { messages: [{ role: "user", content: "yes" }] },
      { "x-test-login": "grace", "X-Signalbox-Conversation": first.conversation ?? "" },
    );
    const [run] = await runtime.list({ workflow: "support_triage" });
    const { approvals } = await runtime.get(run?.id ?? "");
    expect(approvals[0]).toMatchObject({ status: "approved", decidedBy: "http-chat:grace" });
  });

  it("answers 400 for a user name that is not printable text", async () => {
    const { base } = await serve();
    const response = await fetch(`${base}/v1/chat/completions`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ user: "", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { message: expect.stringMatching(/user must be 1 to 128 printable characters/) },
    });
  });
});
