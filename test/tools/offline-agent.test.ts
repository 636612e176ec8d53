import { describe, expect, it } from "vitest";
import { fillArguments, OfflineAgentModel } from "../../src/models/offline-agent-model.ts";
import { createBackend, helpdesk, open, toolDecisions } from "./agent-backend.ts";

describe("offline agent (no LLM)", () => {
  const requests = [
    {
      question: "Where is my order #5031? It still has not arrived",
      tool: "lookup_order",
      input: { orderId: "5031" },
    },
    {
      question: "I forgot my password, please send me a reset link at ana@example.com",
      tool: "reset_password",
      input: { email: "ana@example.com" },
    },
    {
      question: "Is the blue kettle in stock at the warehouse?",
      tool: "check_stock",
      input: { product: "Is the blue kettle in stock at the warehouse?" },
    },
  ];

  it.each(requests)("picks $tool by description and fills its string argument", async (example) => {
    const backend = createBackend();
    const tools = [backend.lookupOrder, backend.resetPassword, backend.checkStock];
    const { workflow } = helpdesk(backend, "offline", { tools });
    const { runtime } = open(workflow);
    const run = await runtime.start("helpdesk", { question: example.question });
    expect(run.status).toBe("succeeded");
    expect(backend.performed.map((entry) => [entry.tool, entry.input])).toEqual([
      [example.tool, example.input],
    ]);
    const [decision] = toolDecisions((await runtime.get(run.id)).decisions);
    expect(decision).toMatchObject({
      choice: example.tool,
      decidedBy: "classifier",
      modelId: "offline-agent",
    });
    expect(decision?.confidence).toBeGreaterThan(0);
    expect(decision?.reason).toContain(
      `offline: ${example.tool} has the description closest to the request`,
    );
    expect((run.output as { reply: string }).reply).toMatch(
      new RegExp(`^Offline agent \\(no LLM\\): ${example.tool} returned `),
    );
  });

  it("answers from a template, and uses no tool when none is close", async () => {
    const backend = createBackend();
    const model = new OfflineAgentModel({
      answer: ({ results }) =>
        `done: ${results.map((entry) => entry.tool).join(", ") || "nothing"}`,
    });
    const { workflow } = helpdesk(backend, model, { tools: [backend.lookupOrder] });
    const { runtime } = open(workflow);
    const matched = await runtime.start("helpdesk", { question: "order 77 status please" });
    expect(matched.output).toEqual({ reply: "done: lookup_order" });
    const unmatched = await runtime.start("helpdesk", { question: "zzz qqq" });
    expect(unmatched.output).toEqual({ reply: "done: nothing" });
    expect(backend.count("lookup_order")).toBe(1);
  });

  it("fills ids, emails and required numbers by field name", () => {
    const { refund, resetPassword } = createBackend();
    expect(fillArguments(refund.parameters, "please refund 250 EUR for order A-17")).toEqual({
      orderId: "A-17",
      amount: 250,
    });
    expect(fillArguments(resetPassword.parameters, "reset ana.b+x@example.co.uk please")).toEqual({
      email: "ana.b+x@example.co.uk",
    });
  });
});
