import { AIMessage, HumanMessage } from "@langchain/core/messages";
import { ChatOpenAI } from "@langchain/openai";
import { afterEach, describe, expect, it } from "vitest";
import { type SignalboxHttpServer, startHttpServer } from "../../src/server/http-server.ts";
import { createBuiltinWorkflows } from "../../src/workflows/index.ts";
import { openTestRuntime, tempHome } from "../support/runtime.ts";

const REQUEST =
  "Customer C-1005: the software did not work for us at all. I want my money back for order 5031.";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(maxBodyBytes?: number) {
  const { home, cleanup } = tempHome();
  const { runtime } = openTestRuntime(home, createBuiltinWorkflows({ home }));
  const server: SignalboxHttpServer = await startHttpServer(runtime, { port: 0, maxBodyBytes });
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

async function postChat(base: string, body: unknown): Promise<SseEvent[]> {
  const response = await fetch(`${base}/api/chat`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
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
    const next = await postChat(base, { conversationId, message: "approve" });
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
  function client(base: string, streaming: boolean) {
    return new ChatOpenAI({
      model: "signalbox",
      apiKey: "unused",
      streaming,
      configuration: { baseURL: `${base}/v1` },
      maxRetries: 0,
    });
  }

  it("talks to ChatOpenAI as a model, continuing the conversation from its history", async () => {
    const { base, runtime } = await serve();
    const model = client(base, false);
    const first = await model.invoke([new HumanMessage(REQUEST)]);
    expect(String(first.content)).toMatch(/waiting for your approval/);
    const second = await model.invoke([
      new HumanMessage(REQUEST),
      new AIMessage(String(first.content)),
      new HumanMessage("yes"),
    ]);
    expect(String(second.content)).toMatch(/support_triage run \S+ is succeeded/);
    const runs = await runtime.list({ workflow: "support_triage" });
    expect(runs.map((run) => run.status)).toEqual(["succeeded"]);
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
