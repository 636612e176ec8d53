import type { BaseMessage } from "@langchain/core/messages";
import { onTestFinished } from "vitest";
import { z } from "zod";
import type { DecisionRecord } from "../../src/contracts/decision.ts";
import type { AgentOptions, AgentTranscript } from "../../src/graph/types.ts";
import { defineWorkflow } from "../../src/graph/workflow.ts";
import { defineTool } from "../../src/tools/define-tool.ts";
import { openTestRuntime, tempHome } from "../support/runtime.ts";

/** Shared by the agent tests: a pretend support system with tools, and a workflow around one agent. */

/** A pretend support system: every tool execution, in order. */
export function createBackend() {
  const performed: { tool: string; input: unknown; key: string }[] = [];
  const count = (tool: string) => performed.filter((entry) => entry.tool === tool).length;
  const lookupOrder = defineTool({
    name: "lookup_order",
    description: "Look up an order's shipping status by its order id",
    input: z.object({ orderId: z.string() }),
    output: z.object({ orderId: z.string(), status: z.string() }),
    effect: "read",
    run: async (input, context) => {
      performed.push({ tool: "lookup_order", input, key: context.idempotencyKey });
      return { orderId: input.orderId, status: "shipped" };
    },
  });
  const checkStock = defineTool({
    name: "check_stock",
    description: "Check whether a product is in stock in the warehouse",
    input: z.object({ product: z.string() }),
    effect: "read",
    run: async (input, context) => {
      performed.push({ tool: "check_stock", input, key: context.idempotencyKey });
      if (input.product === "broken") throw new Error("inventory service is down");
      return { product: input.product, inStock: true };
    },
  });
  const sendEmail = defineTool({
    name: "send_email",
    description: "Send an email to a customer",
    input: z.object({ to: z.string(), body: z.string() }),
    effect: "write",
    idempotencyKey: (input) => `${input.to}:${input.body}`,
    run: async (input, context) => {
      performed.push({ tool: "send_email", input, key: context.idempotencyKey });
      return { sent: true };
    },
  });
  const refund = defineTool({
    name: "refund_order",
    description: "Refund an order's payment to the customer",
    input: z.object({ orderId: z.string(), amount: z.number() }),
    effect: "irreversible",
    requiresApproval: (input) => input.amount > 100,
    run: async (input, context) => {
      performed.push({ tool: "refund_order", input, key: context.idempotencyKey });
      return { refunded: input.amount };
    },
  });
  const resetPassword = defineTool({
    name: "reset_password",
    description: "Send a password reset link to a customer's email address",
    input: z.object({ email: z.string() }),
    effect: "write",
    run: async (input, context) => {
      performed.push({ tool: "reset_password", input, key: context.idempotencyKey });
      return { sent: true };
    },
  });
  return { performed, count, lookupOrder, checkStock, sendEmail, refund, resetPassword };
}

export type Backend = ReturnType<typeof createBackend>;
export type State = { input: { question: string } };
export type Overrides = Partial<AgentOptions<State, { output?: { reply: string } }, string>>;

export function helpdesk(
  backend: Backend,
  model: AgentOptions<State, never>["model"],
  extra: Overrides = {},
) {
  const transcripts: AgentTranscript[] = [];
  const workflow = defineWorkflow({
    name: "helpdesk",
    description: "answers order questions with tools",
    version: "1",
    input: z.object({ question: z.string() }),
    output: z.object({ reply: z.string() }),
  })
    .agent("assist", {
      instructions: "You help customers with their orders.",
      tools: [backend.lookupOrder, backend.checkStock, backend.sendEmail, backend.refund],
      model,
      prompt: (state) => state.input.question,
      result: (_state, answer, transcript) => {
        transcripts.push(transcript);
        return { output: { reply: answer } };
      },
      ...extra,
    })
    .compile();
  return { workflow, transcripts };
}

/** A runtime over a fresh SQLite file, removed when the test finishes. */
export function open(workflow: Parameters<typeof openTestRuntime>[1][number]) {
  const { home, cleanup } = tempHome("signalbox-agent-");
  onTestFinished(cleanup);
  return openTestRuntime(home, [workflow]);
}

export const call = (name: string, args: Record<string, unknown>, id?: string) => ({
  name,
  args,
  id,
});
export const toolDecisions = (decisions: readonly DecisionRecord[]) =>
  decisions.filter((decision) => decision.kind === "tool");
/** The tool messages of a request the model got: `name: content`. */
export const toolMessages = (messages: readonly BaseMessage[] | undefined) =>
  (messages ?? [])
    .filter((message) => message.type === "tool")
    .map((message) => `${message.name}: ${String(message.content)}`);
