import { HumanMessage, ToolMessage } from "@langchain/core/messages";
import { createReactAgent } from "@langchain/langgraph/prebuilt";
import { MultiServerMCPClient } from "@langchain/mcp-adapters";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Runtime } from "../../src/runtime/runtime.ts";
import { type SignalboxHttpServer, startHttpServer } from "../../src/server/http-server.ts";
import { ScriptedChatModel } from "../../src/testing/scripted-chat-model.ts";
import { createBuiltinWorkflows } from "../../src/workflows/index.ts";
import { openTestRuntime, tempHome } from "../support/runtime.ts";
import { example } from "./mcp-clients.ts";

// An external LangChain agent drives our workflows through @langchain/mcp-adapters,
// over Streamable HTTP to the HTTP app, with a scripted model choosing the tool calls.
let runtime: Runtime;
let server: SignalboxHttpServer;
let cleanup: () => void;

beforeAll(async () => {
  const temp = tempHome("signalbox-agent-");
  cleanup = temp.cleanup;
  ({ runtime } = openTestRuntime(temp.home, createBuiltinWorkflows({ home: temp.home })));
  server = await startHttpServer(runtime, { port: 0 });
});

afterAll(async () => {
  await server?.close();
  await runtime?.close();
  cleanup();
});

describe("a LangChain agent using signalbox over MCP", () => {
  it("picks a workflow tool, runs it end to end, and reads the result", async () => {
    const client = new MultiServerMCPClient({
      mcpServers: { signalbox: { transport: "http", url: server.url } },
      prefixToolNameWithServerName: false,
    });
    try {
      const tools = await client.getTools();
      expect(tools.map((tool) => tool.name)).toContain("support_triage");
      const model = new ScriptedChatModel([
        { toolCalls: [{ name: "support_triage", args: example("refund-request"), id: "call_1" }] },
        { toolCalls: [{ name: "list_runs", args: { status: "succeeded" }, id: "call_2" }] },
        "The duplicate charge was refunded.",
      ]);
      const agent = createReactAgent({ llm: model, tools });
      const result = await agent.invoke({
        messages: [
          new HumanMessage("Ada (C-1001) was charged twice for order #5012; sort it out."),
        ],
      });

      expect(model.remaining()).toBe(0);
      expect(model.toolRequests[0]?.length).toBe(tools.length);
      const toolMessages = result.messages.filter((message) => ToolMessage.isInstance(message));
      const triage = String(toolMessages[0]?.content);
      expect(triage).toMatch(/run \S+ \(support_triage\): succeeded/);
      expect(triage).toContain("classify_intent → refund");
      expect(result.messages.at(-1)?.content).toBe("The duplicate charge was refunded.");

      const [run] = await runtime.list({ workflow: "support_triage" });
      expect(run).toMatchObject({ status: "succeeded", trigger: "mcp" });
      expect(run?.output).toMatchObject({ action: "refunded" });
      expect(String(toolMessages[1]?.content)).toContain(run?.id);
    } finally {
      await client.close();
    }
  });
});
