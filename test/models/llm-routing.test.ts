import { ChatOpenAI } from "@langchain/openai";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { defineWorkflow } from "../../src/graph/workflow.ts";
import { ChatProvider, type ChatProviderOptions } from "../../src/models/chat-provider.ts";
import { createLlmDecider } from "../../src/models/llm-decider.ts";
import { type OpenAiTestServer, startOpenAiTestServer } from "../../src/testing/openai-server.ts";
import { openTestRuntime, tempHome } from "../support/runtime.ts";

const servers: OpenAiTestServer[] = [];
const homes: (() => void)[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  for (const cleanup of homes.splice(0)) cleanup();
});

async function server() {
  const started = await startOpenAiTestServer();
  servers.push(started);
  return started;
}

/** A provider over the real ChatOpenAI client; sleeps are recorded, not waited, so tests stay fast. */
function provider(url: string, options: Partial<ChatProviderOptions> = {}) {
  const slept: number[] = [];
  const model = new ChatOpenAI({
    model: "test-model",
    apiKey: "test-key",
    maxRetries: 0,
    timeout: 500,
    configuration: { baseURL: url },
  });
  const chat = new ChatProvider({
    id: "openai-compatible:test-model",
    model,
    sleep: async (ms) => {
      slept.push(ms);
    },
    ...options,
  });
  return { chat, slept };
}

const routeWorkflow = () =>
  defineWorkflow({
    name: "ticket",
    description: "route a ticket",
    version: "1",
    input: z.object({ text: z.string() }),
    output: z.object({ branch: z.string() }),
  })
    .route("pick", {
      branches: {
        refund: {
          description: "wants money back",
          examples: ["refund my order", "I want my money back"],
        },
        technical: {
          description: "something is broken",
          examples: ["the app crashes", "error 500 on upload"],
        },
        human: { description: "anything else" },
      },
      text: (state) => state.input.text,
      defaultBranch: "human",
      escalationBranch: "human",
      minConfidence: 0.3,
    })
    .step("refund", { run: () => ({ output: { branch: "refund" } }) })
    .step("technical", { run: () => ({ output: { branch: "technical" } }) })
    .step("human", { run: () => ({ output: { branch: "human" } }) })
    .compile();

async function route(chat: ChatProvider, text: string, fallback?: ChatProvider) {
  const { home, cleanup } = tempHome();
  homes.push(cleanup);
  const { runtime } = openTestRuntime(home, [routeWorkflow()], {
    llm: createLlmDecider(chat, fallback),
  });
  const run = await runtime.start("ticket", { text });
  const { decisions } = await runtime.get(run.id);
  await runtime.close();
  return { run, decisions };
}

const UNCLEAR = "hmm about the thing from last week";

describe("LLM routing over the OpenAI wire protocol", () => {
  it("skips the LLM when the classifier is confident, and says so", async () => {
    const api = await server();
    const { chat } = provider(api.url);
    const { run, decisions } = await route(chat, "the app crashes with error 500 on upload");
    expect(run.output).toEqual({ branch: "technical" });
    expect(decisions.at(-1)).toMatchObject({ decidedBy: "classifier" });
    expect(decisions.at(-1)?.reason).toContain("so no LLM call");
    expect(api.requests).toHaveLength(0);
  });

  it("asks the LLM with json_schema constrained to the branches when the classifier is unsure", async () => {
    const api = await server();
    api.enqueue({
      kind: "json",
      value: { branch: "refund", reason: "asks for money back", confidence: 0.9 },
      usage: { prompt: 321, completion: 12 },
    });
    const { chat } = provider(api.url);
    const { run, decisions } = await route(chat, UNCLEAR);
    expect(run.output).toEqual({ branch: "refund" });
    const decision = decisions.at(-1);
    expect(decision).toMatchObject({
      kind: "route",
      decidedBy: "llm",
      choice: "refund",
      confidence: 0.9,
      tokensIn: 321,
      tokensOut: 12,
      modelId: "openai-compatible:test-model",
    });
    expect(decision?.reason).toMatch(
      /^classifier said \w+ at 0\.\d\d < 0\.8, so the LLM decided: asks for money back/,
    );
    expect(decision?.options.some((option) => option.score !== undefined)).toBe(true);
    const format = api.requests[0]?.body.response_format as {
      type: string;
      json_schema: { schema: { properties: { branch: { enum: string[] } } } };
    };
    expect(format.type).toBe("json_schema");
    expect(format.json_schema.schema.properties.branch.enum).toEqual([
      "refund",
      "technical",
      "human",
    ]);
  });

  it("records the cost of a call when a price table is configured", async () => {
    const api = await server();
    api.enqueue({
      kind: "json",
      value: { branch: "refund", reason: "money", confidence: 0.9 },
      usage: { prompt: 1_000_000, completion: 500_000 },
    });
    const { chat } = provider(api.url, { prices: { inputPerMillion: 0.4, outputPerMillion: 1.6 } });
    const { decisions } = await route(chat, UNCLEAR);
    expect(decisions.at(-1)?.costUsd).toBeCloseTo(1.2, 6);
  });

  it("switches to a forced function call when the server rejects json_schema, and remembers it", async () => {
    const api = await server();
    api.enqueue(
      {
        kind: "error",
        status: 400,
        message: "response_format json_schema is not supported by this server",
      },
      {
        kind: "tool_calls",
        calls: [
          {
            name: "choose_branch",
            arguments: { branch: "technical", reason: "broken feature", confidence: 0.7 },
          },
        ],
      },
      {
        kind: "tool_calls",
        calls: [
          {
            name: "choose_branch",
            arguments: { branch: "refund", reason: "money", confidence: 0.8 },
          },
        ],
      },
    );
    const { chat } = provider(api.url);
    const first = await route(chat, UNCLEAR);
    expect(first.run.output).toEqual({ branch: "technical" });
    expect(first.decisions.find((decision) => decision.kind === "fallback")?.reason).toContain(
      "using functionCalling from now on",
    );
    const second = await route(chat, UNCLEAR);
    expect(second.run.output).toEqual({ branch: "refund" });
    expect(api.requests[1]?.body.tool_choice).toEqual({
      type: "function",
      function: { name: "choose_branch" },
    });
    expect(api.requests[2]?.body.response_format).toBeUndefined();
  });

  it("retries a 429 after the server's Retry-After, and 5xx, timeouts and resets with backoff", async () => {
    const api = await server();
    api.enqueue(
      { kind: "error", status: 429, retryAfterSeconds: 7 },
      { kind: "error", status: 503 },
      { kind: "json", value: { branch: "technical", reason: "crash", confidence: 0.8 } },
    );
    const { chat, slept } = provider(api.url);
    const { run, decisions } = await route(chat, UNCLEAR);
    expect(run.output).toEqual({ branch: "technical" });
    expect(slept[0]).toBe(7000);
    expect(slept[1]).toBeGreaterThan(0);
    const retries = decisions.filter((decision) => decision.kind === "retry");
    expect(retries.map((decision) => decision.choice)).toEqual(["retry", "retry"]);
    expect(retries[0]?.reason).toContain("rate_limit (429)");
    expect(retries[0]?.reason).toContain("(Retry-After)");
    expect(retries[1]?.reason).toContain("server (503)");
    expect(retries[0]?.node).toBe("pick");

    api.enqueue(
      { kind: "reset" },
      { kind: "hang" },
      { kind: "json", value: { branch: "refund", reason: "money", confidence: 0.9 } },
    );
    const again = await route(chat, UNCLEAR);
    expect(again.run.output).toEqual({ branch: "refund" });
    expect(
      again.decisions
        .filter((decision) => decision.kind === "retry")
        .map((decision) => decision.reason.split(" ")[1]),
    ).toEqual(["connection", "timeout"]);
  });

  it("gives up after its attempts and takes the declared default, logging why", async () => {
    const api = await server();
    api.enqueue(
      { kind: "error", status: 500 },
      { kind: "error", status: 500 },
      { kind: "error", status: 500 },
    );
    const { chat } = provider(api.url);
    const { run, decisions } = await route(chat, UNCLEAR);
    expect(run.output).toEqual({ branch: "human" });
    expect(
      decisions.filter((decision) => decision.kind === "retry").map((decision) => decision.choice),
    ).toEqual(["retry", "retry", "give_up"]);
    expect(decisions.at(-1)).toMatchObject({ decidedBy: "default", choice: "human" });
    expect(api.requests).toHaveLength(3);
  });

  it("opens the circuit after repeated failures and stops calling the dead endpoint", async () => {
    const api = await server();
    api.respondWith(() => ({ kind: "error", status: 502 }));
    const { chat } = provider(api.url, {
      retry: { maxAttempts: 1 },
      breaker: { failureThreshold: 2, cooldownMs: 60_000 },
    });
    await route(chat, UNCLEAR);
    await route(chat, UNCLEAR);
    const before = api.requests.length;
    const { run, decisions } = await route(chat, UNCLEAR);
    expect(api.requests.length).toBe(before);
    expect(chat.breaker.state).toBe("open");
    expect(run.output).toEqual({ branch: "human" });
    expect(decisions.at(-1)?.reason).toContain("circuit open for openai-compatible:test-model");
  });

  it("retries a burst of resets on pooled sockets without opening the circuit", async () => {
    // A server that closed idle keep-alive sockets resets every call that reused one:
    // eight calls at once fail on their first attempt, the endpoint itself is fine.
    const api = await server();
    let requests = 0;
    api.respondWith(() => {
      requests += 1;
      return requests <= 8 ? { kind: "reset" } : { kind: "text", content: "fine" };
    });
    const { chat, slept } = provider(api.url, { breaker: { failureThreshold: 5 } });
    const reported: string[] = [];
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        chat.call(
          (model) => model.invoke("hello"),
          (decision) => reported.push(decision.reason),
        ),
      ),
    );
    expect(answers.map((answer) => answer.content)).toEqual(Array(8).fill("fine"));
    expect(chat.breaker.state).toBe("closed");
    expect(requests).toBe(16);
    // Retried at once: a reset socket says nothing about the endpoint, no backoff.
    expect(slept).toEqual(Array(8).fill(0));
    expect(reported).toHaveLength(8);
    for (const reason of reported) expect(reason).toMatch(/connection reset on attempt 1 of 3/);
  });

  it("counts resets after the first attempt: an endpoint that resets everything opens the circuit", async () => {
    const api = await server();
    api.respondWith(() => ({ kind: "reset" }));
    const { chat } = provider(api.url, { breaker: { failureThreshold: 2, cooldownMs: 60_000 } });
    const call = () =>
      chat.call(
        (model) => model.invoke("hello"),
        () => {},
      );
    await expect(call()).rejects.toThrow(/circuit open|failed/);
    await expect(call()).rejects.toThrow(/circuit open/);
    expect(chat.breaker.state).toBe("open");
  });

  it("lets a fallback model take over when the primary is unavailable", async () => {
    const primaryApi = await server();
    const fallbackApi = await server();
    primaryApi.respondWith(() => ({ kind: "error", status: 500 }));
    fallbackApi.enqueue({
      kind: "json",
      value: { branch: "technical", reason: "from the fallback", confidence: 0.75 },
    });
    const primary = provider(primaryApi.url, { retry: { maxAttempts: 2 } }).chat;
    const fallback = new ChatProvider({
      id: "openai-compatible:backup",
      model: new ChatOpenAI({
        model: "backup",
        apiKey: "k",
        maxRetries: 0,
        configuration: { baseURL: fallbackApi.url },
      }),
    });
    const { run, decisions } = await route(primary, UNCLEAR, fallback);
    expect(run.output).toEqual({ branch: "technical" });
    expect(decisions.find((decision) => decision.kind === "fallback")).toMatchObject({
      choice: "openai-compatible:backup",
    });
    expect(decisions.at(-1)).toMatchObject({
      decidedBy: "llm",
      modelId: "openai-compatible:backup",
    });
  });

  it("repairs an out-of-set answer once, then falls back to the default on a second bad one", async () => {
    const api = await server();
    api.enqueue(
      { kind: "json", value: { branch: "billing", reason: "invented", confidence: 0.9 } },
      { kind: "json", value: { branch: "technical", reason: "fixed", confidence: 0.8 } },
    );
    const { chat } = provider(api.url);
    const repaired = await route(chat, UNCLEAR);
    expect(repaired.run.output).toEqual({ branch: "technical" });
    expect(repaired.decisions.at(-1)?.reason).toContain("repair");
    expect(JSON.stringify(api.requests[1]?.body.messages)).toContain("previous answer was invalid");

    api.enqueue(
      { kind: "malformed" },
      { kind: "malformed" },
      { kind: "malformed" },
      { kind: "text", content: "I think refund" },
    );
    const broken = await route(chat, UNCLEAR);
    expect(broken.run.output).toEqual({ branch: "human" });
    expect(broken.decisions.at(-1)).toMatchObject({ decidedBy: "default" });
  });
});
