import type { AIMessageChunk } from "@langchain/core/messages";
import { ChatOpenAI, type ChatOpenAIFields } from "@langchain/openai";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  type OpenAiTestServer,
  promptText,
  startOpenAiTestServer,
} from "../../src/testing/openai-server.ts";

let server: OpenAiTestServer;

beforeEach(async () => {
  server = await startOpenAiTestServer();
});

afterEach(async () => {
  await server.close();
});

function chatModel(fields: ChatOpenAIFields = {}): ChatOpenAI {
  return new ChatOpenAI({
    model: "test-model",
    apiKey: "test-key",
    configuration: { baseURL: server.url },
    maxRetries: 0,
    ...fields,
  });
}

/** Awaits a promise expected to reject and hands back what it rejected with. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

const lookupOrder = {
  name: "lookup_order",
  description: "Look an order up by id",
  schema: z.object({ orderId: z.string() }),
};

describe("OpenAI test server: answers", () => {
  it("answers a plain invoke with content and token usage, recording the request", async () => {
    server.enqueue({
      kind: "text",
      content: "Hello from the server",
      usage: { prompt: 12, completion: 4 },
    });

    const message = await chatModel().invoke("Say hello");

    expect(message.content).toBe("Hello from the server");
    expect(message.usage_metadata).toMatchObject({
      input_tokens: 12,
      output_tokens: 4,
      total_tokens: 16,
    });
    expect(message.response_metadata).toMatchObject({
      finish_reason: "stop",
      model_name: "test-model",
    });
    const [request] = server.requests;
    expect(request?.path).toBe("/v1/chat/completions");
    expect(request?.headers.authorization).toBe("Bearer test-key");
    expect(request?.body).toMatchObject({ model: "test-model", stream: false });
    expect(request?.body.messages).toEqual([{ role: "user", content: "Say hello" }]);
    expect(server.remaining()).toBe(0);
  });

  it("streams content in pieces and reports usage when streamUsage is on", async () => {
    server.enqueue({
      kind: "text",
      content: "one two three four",
      usage: { prompt: 7, completion: 4 },
    });

    const chunks: AIMessageChunk[] = [];
    for await (const chunk of await chatModel({ streamUsage: true }).stream("Count"))
      chunks.push(chunk);

    const contentChunks = chunks.filter((chunk) => chunk.content !== "");
    expect(contentChunks.length).toBeGreaterThan(1);
    expect(chunks.map((chunk) => chunk.content).join("")).toBe("one two three four");
    const merged = chunks.reduce((total, chunk) => total.concat(chunk));
    expect(merged.usage_metadata).toMatchObject({ input_tokens: 7, output_tokens: 4 });
    expect(server.requests[0]?.body).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it("returns tool calls with parsed args, plain and streamed, and sees the tool result", async () => {
    const model = chatModel().bindTools([lookupOrder]);
    server.enqueue(
      { kind: "tool_calls", calls: [{ name: "lookup_order", arguments: { orderId: "A-1" } }] },
      {
        kind: "tool_calls",
        calls: [{ name: "lookup_order", arguments: { orderId: "B-2" }, id: "call_b" }],
      },
    );

    const message = await model.invoke("Where is order A-1?");
    const chunks: AIMessageChunk[] = [];
    for await (const chunk of await model.stream("Where is order B-2?")) chunks.push(chunk);
    const streamed = chunks.reduce((total, chunk) => total.concat(chunk));

    expect(message.tool_calls).toEqual([
      { name: "lookup_order", args: { orderId: "A-1" }, id: "call_1", type: "tool_call" },
    ]);
    expect(message.response_metadata.finish_reason).toBe("tool_calls");
    expect(streamed.tool_calls).toMatchObject([
      { name: "lookup_order", args: { orderId: "B-2" }, id: "call_b" },
    ]);
    expect(server.requests[0]?.body.tools?.[0]?.function?.name).toBe("lookup_order");

    server.enqueue({ kind: "text", content: "It shipped." });
    const toolResult = { role: "tool" as const, content: "shipped", tool_call_id: "call_1" };
    await chatModel().invoke([["user", "Where is order A-1?"], message, toolResult]);
    const sent = server.requests[2]?.body.messages ?? [];
    expect(sent[1]?.tool_calls?.[0]?.function).toEqual({
      name: "lookup_order",
      arguments: '{"orderId":"A-1"}',
    });
    expect(sent[2]).toMatchObject({ role: "tool", tool_call_id: "call_1", content: "shipped" });
  });

  it("serves withStructuredOutput through response_format json_schema by default", async () => {
    const schema = z.object({ branch: z.enum(["refund", "other"]), confidence: z.number() });
    server.enqueue({ kind: "json", value: { branch: "refund", confidence: 0.9 } });

    const result = await chatModel()
      .withStructuredOutput(schema)
      .invoke("Route: I want my money back");

    expect(result).toEqual({ branch: "refund", confidence: 0.9 });
    const body = server.requests[0]?.body;
    expect(body?.response_format?.type).toBe("json_schema");
    expect(body?.response_format?.json_schema).toMatchObject({ name: "extract", strict: true });
    expect(body?.tools).toBeUndefined();
  });

  it("serves withStructuredOutput with method functionCalling through a forced tool", async () => {
    const schema = z.object({ branch: z.string() });
    server.enqueue({
      kind: "tool_calls",
      calls: [{ name: "route", arguments: { branch: "refund" } }],
    });

    const result = await chatModel()
      .withStructuredOutput(schema, { method: "functionCalling", name: "route" })
      .invoke("Route this");

    expect(result).toEqual({ branch: "refund" });
    const body = server.requests[0]?.body;
    expect(body?.tools?.[0]?.function?.name).toBe("route");
    expect(body?.tool_choice).toEqual({ type: "function", function: { name: "route" } });
    expect(body?.response_format).toBeUndefined();
  });

  it("lets a handler pick replies by request, falling back to the queue", async () => {
    server.respondWith((request) =>
      promptText(request).includes("refund") ? { kind: "text", content: "refund" } : undefined,
    );
    server.enqueue({ kind: "text", content: "from the queue" });

    const first = await chatModel().invoke("I want a refund");
    const second = await chatModel().invoke("Something else");

    expect([first.content, second.content]).toEqual(["refund", "from the queue"]);
  });

  it("lists the model and answers unknown paths with 404", async () => {
    const models = await fetch(`${server.url}/models`);
    const missing = await fetch(`${server.url}/embeddings`, { method: "POST", body: "{}" });

    expect(await models.json()).toMatchObject({ object: "list", data: [{ id: "test-model" }] });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { type: "invalid_request_error" } });
  });
});

describe("OpenAI test server: failures", () => {
  it("surfaces a 429 with retry-after as a status 429 error", async () => {
    server.enqueue({ kind: "error", status: 429, retryAfterSeconds: 1 });

    const error = await rejectionOf(chatModel().invoke("Hi"));

    expect(error).toMatchObject({ status: 429, error: { code: "rate_limit_exceeded" } });
    expect(error).toHaveProperty("headers");
    expect(server.requests).toHaveLength(1);
  });

  it("retries a 429 when maxRetries allows, and the next scripted reply succeeds", async () => {
    server.enqueue(
      { kind: "error", status: 429, retryAfterSeconds: 0 },
      { kind: "text", content: "ok" },
    );

    const message = await chatModel({ maxRetries: 1 }).invoke("Hi");

    expect(message.content).toBe("ok");
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]?.headers["x-stainless-retry-count"]).toBe("0");
  });

  it("surfaces 500 and 400 errors with OpenAI's error body", async () => {
    server.enqueue(
      { kind: "error", status: 500 },
      { kind: "error", status: 400, message: "response_format not supported" },
    );

    const serverError = await rejectionOf(chatModel().invoke("Hi"));
    const badRequest = await rejectionOf(chatModel().invoke("Hi"));

    expect(serverError).toMatchObject({ status: 500, error: { type: "server_error" } });
    expect(badRequest).toMatchObject({ status: 400, error: { type: "invalid_request_error" } });
    expect(String(badRequest)).toContain("response_format not supported");
  });

  it("answers 500 no_scripted_reply when nothing is left", async () => {
    const error = await rejectionOf(chatModel().invoke("Unexpected"));

    expect(error).toMatchObject({ status: 500, error: { code: "no_scripted_reply" } });
    expect(String(error)).toContain("no scripted reply left");
  });

  it("fails on a malformed JSON body and on a broken SSE chunk", async () => {
    server.enqueue({ kind: "malformed" }, { kind: "malformed" });

    const quiet = chatModel({ configuration: { baseURL: server.url, logLevel: "off" } });
    const plain = await rejectionOf(quiet.invoke("Hi"));
    const streamed = await rejectionOf(
      (async () => {
        for await (const _chunk of await quiet.stream("Hi"));
      })(),
    );

    expect(plain).toBeInstanceOf(SyntaxError);
    // openai 6 (under @langchain/openai 1.5, the Node 20 line) throws the parser's own
    // SyntaxError; openai 7 wraps it as "malformed server-sent event JSON".
    expect(String(streamed)).toMatch(/malformed server-sent event JSON|SyntaxError: .*JSON/);
  });

  it("fails with a connection error when the socket is reset", async () => {
    server.enqueue({ kind: "reset" });

    const error = await rejectionOf(chatModel().invoke("Hi"));

    expect(String(error)).toContain("Connection error");
    expect(server.requests).toHaveLength(1);
  });

  it("times a hanging request out on the client side", async () => {
    server.enqueue({ kind: "hang" });

    const error = await rejectionOf(chatModel({ timeout: 300 }).invoke("Hi"));

    expect(error).toMatchObject({ name: "TimeoutError" });
  });

  it("ends a hanging request when the server closes", async () => {
    server.enqueue({ kind: "hang" });
    const pending = rejectionOf(chatModel({ timeout: 30_000 }).invoke("Hi"));
    await expect.poll(() => server.requests.length).toBe(1);

    await server.close();

    // A connection error, not the client's 30 s timeout: the close ended the request.
    expect(String(await pending)).toContain("Connection error");
  });
});

describe("OpenAI test server: idle connections", () => {
  // The cascade replay test (test/eval/routing-cascade.test.ts) lost every LLM reply of a
  // configuration under vitest: training the next configuration's classifier kept the event
  // loop busy for ~10 s, longer than Node's 5 s keep-alive timeout; when the loop woke, the
  // client wrote its next 8 requests on pooled sockets before the idle timers ran, the server's
  // timers then destroyed those sockets (ECONNRESET on all of them at once), the provider's
  // breaker opened, nothing was recorded, and the replay missed every request.
  it("keeps pooled connections usable after the process was blocked past the keep-alive timeout", async () => {
    server.respondWith(() => ({ kind: "text", content: "answer" }));
    const requests = () =>
      Promise.all(
        Array.from({ length: 8 }, async () => {
          const response = await fetch(`${server.url}/chat/completions`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({
              model: "test-model",
              messages: [{ role: "user", content: "Hi" }],
            }),
          });
          return response.status;
        }),
      );
    expect(await requests()).toEqual(Array(8).fill(200));

    // Blocks this thread without spinning, as a long synchronous computation would, for
    // twice the old keep-alive timeout; then sends before any timer of the idle time has run.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10_500);

    expect(await requests()).toEqual(Array(8).fill(200));
  }, 60_000);
});
