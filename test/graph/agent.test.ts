import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ErrorCode, isSignalboxError } from "../../src/errors.ts";
import { toMermaid } from "../../src/graph/mermaid.ts";
import { defineWorkflow } from "../../src/graph/workflow.ts";
import { ScriptedChatModel } from "../../src/testing/scripted-chat-model.ts";
import { ToolRegistry } from "../../src/tools/tool-registry.ts";
import {
  call,
  createBackend,
  helpdesk,
  open,
  toolDecisions,
  toolMessages,
} from "../tools/agent-backend.ts";

describe("agent step", () => {
  it("runs a two-tool loop to a final answer, logging one tool decision per call", async () => {
    const backend = createBackend();
    const model = new ScriptedChatModel([
      {
        toolCalls: [call("lookup_order", { orderId: "5031", rationale: "need its status" })],
        tokensIn: 40,
        tokensOut: 8,
      },
      { toolCalls: [call("check_stock", { product: "kettle", rationale: "they ask for stock" })] },
      "Order 5031 has shipped and the kettle is in stock.",
    ]);
    const { workflow, transcripts } = helpdesk(backend, model);
    const { runtime } = open(workflow);
    const run = await runtime.start("helpdesk", { question: "Where is 5031? Kettle in stock?" });
    expect(run.status).toBe("succeeded");
    expect(run.output).toEqual({ reply: "Order 5031 has shipped and the kettle is in stock." });
    expect(backend.performed.map((entry) => [entry.tool, entry.input])).toEqual([
      ["lookup_order", { orderId: "5031" }],
      ["check_stock", { product: "kettle" }],
    ]);
    const decisions = toolDecisions((await runtime.get(run.id)).decisions);
    expect(decisions.map((decision) => [decision.choice, decision.decidedBy])).toEqual([
      ["lookup_order", "llm"],
      ["check_stock", "llm"],
    ]);
    expect(decisions[0]?.reason).toBe(
      'need its status → succeeded: {"orderId":"5031","status":"shipped"}',
    );
    expect(decisions[1]?.reason).toContain("they ask for stock → succeeded");
    expect(decisions[0]).toMatchObject({ modelId: "scripted", tokensIn: 40, tokensOut: 8 });
    expect(decisions[0]?.options.map((option) => option.name)).toEqual([
      "lookup_order",
      "check_stock",
      "send_email",
      "refund_order",
    ]);
    const bound = model.toolRequests[0] as { function: { name: string; parameters: unknown } }[];
    expect(bound.map((tool) => tool.function.name)).toContain("lookup_order");
    expect(bound[0]?.function.parameters).toMatchObject({ required: ["orderId", "rationale"] });
    expect(toolMessages(model.requests[2])).toEqual([
      'lookup_order: {"orderId":"5031","status":"shipped"}',
      'check_stock: {"product":"kettle","inStock":true}',
    ]);
    expect(transcripts[0]).toMatchObject({ iterations: 3, calls: [{ outcome: "succeeded" }, {}] });
    expect(model.remaining()).toBe(0);
  });

  it("never executes a tool off the allow-list, logs the refusal and tells the model", async () => {
    const backend = createBackend();
    const registry = new ToolRegistry([backend.lookupOrder, backend.resetPassword]);
    const model = new ScriptedChatModel([
      { toolCalls: [call("reset_password", { email: "a@b.c", rationale: "seems useful" })] },
      "I cannot reset passwords here.",
    ]);
    const { workflow } = helpdesk(backend, model, { tools: ["lookup_order"], registry });
    const { runtime } = open(workflow);
    const run = await runtime.start("helpdesk", { question: "reset my password" });
    expect(run.status).toBe("succeeded");
    expect(backend.performed).toEqual([]);
    const [refusal] = toolDecisions((await runtime.get(run.id)).decisions);
    expect(refusal).toMatchObject({ choice: "refused", decidedBy: "llm" });
    expect(refusal?.reason).toContain('seems useful → refused: tool "reset_password" is not');
    expect(toolMessages(model.requests[1])).toEqual([
      'reset_password: Error: tool "reset_password" is not available to this agent and was not called; available tools: lookup_order',
    ]);
  });

  it("sends a tool's error and invalid arguments back to the model and carries on", async () => {
    const backend = createBackend();
    const model = new ScriptedChatModel([
      {
        toolCalls: [
          call("check_stock", { product: "broken", rationale: "stock check" }),
          call("lookup_order", { order: 5031, rationale: "status" }),
        ],
      },
      { toolCalls: [call("lookup_order", { orderId: "5031", rationale: "fixed the arguments" })] },
      "Shipped; stock unknown.",
    ]);
    const { workflow } = helpdesk(backend, model);
    const { runtime } = open(workflow);
    const run = await runtime.start("helpdesk", { question: "status and stock?" });
    expect(run.status).toBe("succeeded");
    const decisions = toolDecisions((await runtime.get(run.id)).decisions);
    expect(decisions.map((decision) => decision.choice)).toEqual([
      "check_stock",
      "invalid_arguments",
      "lookup_order",
    ]);
    expect(decisions[0]?.reason).toBe("stock check → failed: inventory service is down");
    expect(decisions[1]?.reason).toContain("status → invalid arguments: invalid arguments for");
    const [failure, invalid] = toolMessages(model.requests[1]);
    expect(failure).toBe("check_stock: Error: inventory service is down");
    expect(invalid).toContain("lookup_order: Error: invalid arguments for lookup_order: orderId:");
    expect(backend.count("lookup_order")).toBe(1);
  });

  it("fails clearly when maxIterations is reached, or takes the declared fallback", async () => {
    const looping = () =>
      new ScriptedChatModel([
        { toolCalls: [call("lookup_order", { orderId: "1", rationale: "again" })] },
        { toolCalls: [call("lookup_order", { orderId: "1", rationale: "and again" })] },
      ]);
    const backend = createBackend();
    const failing = helpdesk(backend, looping(), { maxIterations: 2 });
    const { runtime } = open(failing.workflow);
    const run = await runtime.start("helpdesk", { question: "loop" });
    expect(run.status).toBe("failed");
    expect(run.error).toContain(
      'agent "assist" made 2 model calls (maxIterations) without a final answer; tool calls run: lookup_order (succeeded); its last reply asked for lookup_order, which was not run.',
    );
    expect(backend.count("lookup_order")).toBe(1);
    const rescued = helpdesk(createBackend(), looping(), {
      maxIterations: 2,
      fallback: (_state, error) => ({
        output: { reply: `escalated: ${error.message.slice(0, 13)}` },
      }),
    });
    const second = open(rescued.workflow);
    const rescuedRun = await second.runtime.start("helpdesk", { question: "loop" });
    expect(rescuedRun.output).toEqual({ reply: 'escalated: agent "assist' });
    const fallback = (await second.runtime.get(rescuedRun.id)).decisions.find(
      (decision) => decision.kind === "fallback",
    );
    expect(fallback?.reason).toContain("maxIterations");
  });

  it("plans write tools in a dry run, without pausing for approval, and tells the model", async () => {
    const backend = createBackend();
    const model = new ScriptedChatModel([
      {
        toolCalls: [
          call("send_email", { to: "ana@example.com", body: "Hi", rationale: "notify" }),
          call("refund_order", { orderId: "5031", amount: 250, rationale: "broken" }),
        ],
      },
      "Email and refund planned.",
    ]);
    const { workflow } = helpdesk(backend, model);
    const { runtime } = open(workflow);
    const run = await runtime.start("helpdesk", { question: "email ana" }, { dryRun: true });
    expect(run.status).toBe("succeeded");
    expect(backend.performed).toEqual([]);
    const { effects, decisions } = await runtime.get(run.id);
    expect(effects.map((effect) => [effect.name, effect.status, effect.args])).toEqual([
      ["send_email", "planned", { to: "ana@example.com", body: "Hi" }],
      ["refund_order", "planned", { orderId: "5031", amount: 250 }],
    ]);
    // Nothing would be performed, so the approval-gated refund does not pause the dry run.
    expect(toolDecisions(decisions).map((decision) => decision.reason)).toEqual([
      "notify → planned, not performed (dry run)",
      "broken → planned, not performed (dry run); it would need approval first",
    ]);
    expect(toolMessages(model.requests[1])[0]).toContain("send_email: Planned, not performed");
  });

  it("performs a write tool once per idempotency key: a repeat is replayed from the journal", async () => {
    const backend = createBackend();
    const email = { to: "ana@example.com", body: "Your refund is on its way" };
    const model = new ScriptedChatModel([
      { toolCalls: [call("send_email", { ...email, rationale: "tell her" })] },
      { toolCalls: [call("send_email", { ...email, rationale: "make sure she knows" })] },
      "Sent.",
    ]);
    const { workflow } = helpdesk(backend, model);
    const { runtime, events } = open(workflow);
    const run = await runtime.start("helpdesk", { question: "email ana" });
    expect(run.status).toBe("succeeded");
    expect(backend.count("send_email")).toBe(1);
    const key = `${run.id}:tool:send_email:${email.to}:${email.body}`;
    expect(backend.performed[0]?.key).toBe(key);
    const { effects, decisions } = await runtime.get(run.id);
    expect(effects.map((effect) => [effect.key, effect.status])).toEqual([[key, "completed"]]);
    expect(toolDecisions(decisions)[1]?.reason).toContain(
      "result replayed from the effect journal",
    );
    const statuses = events.flatMap((event) => (event.type === "effect" ? [event.status] : []));
    expect(statuses).toEqual(["performed", "replayed"]);
  });

  it("pauses for an approval-gated tool; approving runs it exactly once and replays the rest", async () => {
    const backend = createBackend();
    const email = { to: "ana@example.com", body: "We are refunding you" };
    const model = new ScriptedChatModel([
      { toolCalls: [call("lookup_order", { orderId: "5031", rationale: "check the order" })] },
      { toolCalls: [call("send_email", { ...email, rationale: "tell her first" })] },
      {
        toolCalls: [
          call("refund_order", { orderId: "5031", amount: 250, rationale: "item arrived broken" }),
        ],
      },
      "Refunded 250 for order 5031.",
    ]);
    const { workflow } = helpdesk(backend, model);
    const { runtime, events } = open(workflow);
    const run = await runtime.start("helpdesk", { question: "My kettle from 5031 is broken" });
    expect(run.status).toBe("waiting");
    expect(backend.performed.map((entry) => entry.tool)).toEqual(["lookup_order", "send_email"]);
    const waiting = await runtime.get(run.id);
    expect(waiting.approvals).toHaveLength(1);
    expect(waiting.approvals[0]).toMatchObject({
      node: "assist",
      status: "pending",
      message: "assist wants to call refund_order (irreversible): item arrived broken",
      details: { tool: "refund_order", args: { orderId: "5031", amount: 250 } },
    });
    const done = await runtime.approve(run.id, { by: "maria", comment: "fine, it was broken" });
    expect(done.status).toBe("succeeded");
    expect(done.output).toEqual({ reply: "Refunded 250 for order 5031." });
    // The node re-ran from its first line: the model and the read tool were not called
    // again (checkpointed tasks), the email was not sent again, the refund ran once.
    expect(model.requests).toHaveLength(4);
    expect(backend.performed.map((entry) => entry.tool)).toEqual([
      "lookup_order",
      "send_email",
      "refund_order",
    ]);
    const { decisions, effects } = await runtime.get(run.id);
    expect(decisions.map((decision) => [decision.kind, decision.choice])).toEqual([
      ["tool", "lookup_order"],
      ["tool", "send_email"],
      ["approval", "approved"],
      ["tool", "refund_order"],
    ]);
    expect(decisions[2]).toMatchObject({ decidedBy: "human", reason: "fine, it was broken" });
    expect(effects.map((effect) => [effect.name, effect.status])).toEqual([
      ["send_email", "completed"],
      ["refund_order", "completed"],
    ]);
    expect(events.filter((event) => event.type === "approval-request")).toHaveLength(1);
  });

  it("tells the model when a gated call is rejected, and does not run it", async () => {
    const backend = createBackend();
    const model = new ScriptedChatModel([
      { toolCalls: [call("refund_order", { orderId: "7", amount: 900, rationale: "asked" })] },
      { toolCalls: [call("refund_order", { orderId: "7", amount: 500, rationale: "try less" })] },
      "No refund was approved.",
    ]);
    const { workflow } = helpdesk(backend, model);
    const { runtime } = open(workflow);
    const run = await runtime.start("helpdesk", { question: "refund 7" });
    const second = await runtime.approve(run.id, {
      decision: "rejected",
      by: "maria",
      comment: "too much",
    });
    expect(second.status).toBe("waiting");
    const done = await runtime.approve(run.id, { decision: "rejected", by: "maria" });
    expect(done.status).toBe("succeeded");
    expect(backend.performed).toEqual([]);
    expect(model.requests).toHaveLength(3);
    expect(toolMessages(model.requests[1])).toEqual([
      "refund_order: Error: not performed: the call was rejected by maria (too much)",
    ]);
    const { decisions, approvals } = await runtime.get(run.id);
    expect(approvals.map((approval) => approval.status)).toEqual(["rejected", "rejected"]);
    expect(toolDecisions(decisions).map((decision) => decision.choice)).toEqual([
      "rejected",
      "rejected",
    ]);
  });

  it("takes a structured final answer through final_answer, sending invalid ones back", async () => {
    const backend = createBackend();
    const answer = z.object({ status: z.enum(["shipped", "pending"]), summary: z.string() });
    const model = new ScriptedChatModel([
      { toolCalls: [call("final_answer", { status: "lost", summary: "gone" })] },
      { toolCalls: [call("final_answer", { status: "shipped", summary: "on its way" })] },
    ]);
    const workflow = defineWorkflow({
      name: "helpdesk",
      description: "structured answers",
      version: "1",
      input: z.object({ question: z.string() }),
      output: answer,
    })
      .agent("assist", {
        instructions: "Say where the order is.",
        tools: [backend.lookupOrder],
        model,
        output: answer,
        prompt: (state) => state.input.question,
        result: (_state, final) => ({ output: { status: final.status, summary: final.summary } }),
      })
      .compile();
    const { runtime } = open(workflow);
    const run = await runtime.start("helpdesk", { question: "where is it?" });
    expect(run.output).toEqual({ status: "shipped", summary: "on its way" });
    const bound = model.toolRequests[0] as { function: { name: string } }[];
    expect(bound.map((tool) => tool.function.name)).toEqual(["lookup_order", "final_answer"]);
    const [invalid] = toolDecisions((await runtime.get(run.id)).decisions);
    expect(invalid?.choice).toBe("invalid_arguments");
    expect(invalid?.reason).toContain("the answer does not fit the schema: status:");
  });

  it("checks agents at compile time: registry names, limits, output schema", () => {
    const backend = createBackend();
    const registry = new ToolRegistry([backend.lookupOrder]);
    let error: unknown;
    try {
      helpdesk(backend, "offline", {
        tools: ["lookup_ordr", "lookup_order", "lookup_order"],
        registry,
        maxIterations: 0,
        output: z.string() as never,
      });
    } catch (caught) {
      error = caught;
    }
    expect(isSignalboxError(error, ErrorCode.WorkflowInvalid)).toBe(true);
    expect((error as { data: { problems: string[] } }).data.problems).toEqual([
      'agent "assist": maxIterations must be a whole number of at least 1 (got 0).',
      'agent "assist": output must be a zod object schema (it becomes the final_answer tool\'s arguments).',
      'agent "assist" lists tool "lookup_order" twice; list each tool once.',
      'agent "assist" lists tool "lookup_ordr", which is not in its registry. Did you mean "lookup_order"? Registered tools: lookup_order.',
    ]);
  });

  it("draws agents in Mermaid and counts their tools' effects", () => {
    const { workflow } = helpdesk(createBackend(), "offline");
    expect(toMermaid(workflow.nodes, workflow.start)).toContain('assist(["assist (agent)"])');
    expect(workflow.effects).toEqual({ writes: true, irreversible: true });
  });
});
