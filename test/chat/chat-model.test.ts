import { ChatOpenAI } from "@langchain/openai";
import { describe, expect, it, onTestFinished } from "vitest";
import { createChatAgent } from "../../src/chat/chat-agent.ts";
import { ChatProvider } from "../../src/models/chat-provider.ts";
import { startOpenAiTestServer } from "../../src/testing/openai-server.ts";
import { createBuiltinWorkflows } from "../../src/workflows/index.ts";
import { openTestRuntime, tempHome } from "../support/runtime.ts";

describe("chat model selection", () => {
  it("uses the runtime's configured chat model when the chat names none", async () => {
    const server = await startOpenAiTestServer({
      replies: [{ kind: "text", content: "Hello from the configured model." }],
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
    const { home, cleanup } = tempHome("signalbox-chat-model-");
    onTestFinished(cleanup);
    const { runtime } = openTestRuntime(home, createBuiltinWorkflows({ home }), { chat });
    onTestFinished(() => runtime.close());
    const turn = await createChatAgent(runtime).send({ message: "hi there" });
    expect(turn.reply).toBe("Hello from the configured model.");
    expect(server.requests).toHaveLength(1);
    expect(JSON.stringify(server.requests[0]?.body.tools)).toContain("support_triage");
  });
});
