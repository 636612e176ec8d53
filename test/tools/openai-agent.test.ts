import { ChatOpenAI } from "@langchain/openai";
import { describe, expect, it, onTestFinished } from "vitest";
import { ChatProvider } from "../../src/models/chat-provider.ts";
import { startOpenAiTestServer } from "../../src/testing/openai-server.ts";
import { ScriptedChatModel } from "../../src/testing/scripted-chat-model.ts";
import { openTestRuntime, tempHome } from "../support/runtime.ts";
import { call, createBackend, helpdesk, open, toolDecisions } from "./agent-backend.ts";

describe("agent over real chat-model plumbing", () => {
  it("drives ChatOpenAI over the wire: a tool_calls reply, the tool result, a text reply", async () => {
    const server = await startOpenAiTestServer({
      replies: [
        {
          kind: "tool_calls",
          calls: [
            {
              name: "lookup_order",
              arguments: { orderId: "5031", rationale: "the customer asks where it is" },
            },
          ],
          usage: { prompt: 120, completion: 20 },
        },
        { kind: "text", content: "Order 5031 has shipped." },
      ],
    });
    onTestFinished(() => server.close());
    const model = new ChatOpenAI({
      model: "test-model",
      apiKey: "test-key",
      maxRetries: 0,
      configuration: { baseURL: server.url },
    });
    const backend = createBackend();
    const { workflow } = helpdesk(backend, model, { tools: [backend.lookupOrder] });
    const { runtime } = open(workflow);
    const run = await runtime.start("helpdesk", { question: "Where is order 5031?" });
    expect(run.status).toBe("succeeded");
    expect(run.output).toEqual({ reply: "Order 5031 has shipped." });
    expect(backend.performed.map((entry) => entry.input)).toEqual([{ orderId: "5031" }]);
    const [first, second] = server.requests;
    const tool = first?.body.tools?.[0]?.function;
    expect(tool?.name).toBe("lookup_order");
    expect(tool?.parameters).toMatchObject({ required: ["orderId", "rationale"] });
    const messages = second?.body.messages ?? [];
    expect(messages.map((message) => message.role)).toEqual([
      "system",
      "user",
      "assistant",
      "tool",
    ]);
    expect(messages[2]?.tool_calls?.[0]).toMatchObject({
      id: "call_1",
      function: { name: "lookup_order" },
    });
    expect(messages[3]).toMatchObject({
      tool_call_id: "call_1",
      content: '{"orderId":"5031","status":"shipped"}',
    });
    const [decision] = toolDecisions((await runtime.get(run.id)).decisions);
    expect(decision).toMatchObject({
      choice: "lookup_order",
      decidedBy: "llm",
      modelId: "test-model",
      tokensIn: 120,
      tokensOut: 20,
    });
    expect(decision?.reason).toContain("the customer asks where it is → succeeded");
    expect(server.remaining()).toBe(0);
  });

  it("calls through a ChatProvider and logs its retries", async () => {
    const overloaded = Object.assign(new Error("overloaded"), { status: 503 });
    const scripted = new ScriptedChatModel([
      overloaded,
      { toolCalls: [call("lookup_order", { orderId: "9", rationale: "status" })] },
      "Shipped.",
    ]);
    const provider = new ChatProvider({
      id: "scripted:agent",
      model: scripted,
      retry: { maxAttempts: 2, baseDelayMs: 1 },
      sleep: async () => {},
    });
    const backend = createBackend();
    const { workflow } = helpdesk(backend, provider);
    const { runtime } = open(workflow);
    const run = await runtime.start("helpdesk", { question: "order 9?" });
    expect(run.status).toBe("succeeded");
    const { decisions } = await runtime.get(run.id);
    expect(decisions.map((decision) => [decision.kind, decision.choice, decision.node])).toEqual([
      ["retry", "retry", "assist"],
      ["tool", "lookup_order", "assist"],
    ]);
    expect(decisions[0]?.reason).toContain("scripted:agent server (503) on attempt 1 of 2");
    expect(decisions[1]?.modelId).toBe("scripted:agent");
  });

  it("uses the runtime's configured chat model when the agent step names none", async () => {
    const server = await startOpenAiTestServer({
      replies: [
        {
          kind: "tool_calls",
          calls: [
            { name: "lookup_order", arguments: { orderId: "5031", rationale: "asked about it" } },
          ],
        },
        { kind: "text", content: "It shipped." },
      ],
    });
    onTestFinished(() => server.close());
    const chat = new ChatProvider({
      id: "openai-compatible:test-model",
      model: new ChatOpenAI({
        model: "test-model",
        apiKey: "k",
        maxRetries: 0,
        configuration: { baseURL: server.url },
      }),
    });
    const backend = createBackend();
    const { workflow } = helpdesk(backend, undefined, { tools: [backend.lookupOrder] });
    const { home, cleanup } = tempHome("signalbox-agent-");
    onTestFinished(cleanup);
    const { runtime } = openTestRuntime(home, [workflow], { chat });
    const run = await runtime.start("helpdesk", { question: "Where is order 5031?" });
    expect(run.output).toEqual({ reply: "It shipped." });
    expect(server.requests).toHaveLength(2);
    expect(toolDecisions((await runtime.get(run.id)).decisions)[0]).toMatchObject({
      decidedBy: "llm",
      modelId: "openai-compatible:test-model",
    });
  });
});
