/**
 * The cost of one agent step over the bare LangGraph prebuilt agent
 * (`createReactAgent`), with the same scripted model: a tool call, its result,
 * then the answer (two model calls, one tool execution) per run. Ours adds the
 * allow-list, argument validation, the rationale, a decision record per tool
 * call and a LangGraph task per model call and tool call (so a resumed run
 * replays them instead of asking again). No store here: both run in memory.
 *
 * Run: BENCH_ONLY=agent npm run bench
 */
import { tool } from "@langchain/core/tools";
import { createReactAgent } from "@langchain/langgraph/prebuilt";
import { z } from "zod";
import { contextValue, detachedContext } from "../src/graph/run-context.ts";
import { defineWorkflow } from "../src/graph/workflow.ts";
import { ScriptedChatModel, type ScriptedTurn } from "../src/testing/scripted-chat-model.ts";
import { defineTool } from "../src/tools/define-tool.ts";
import { interleave, type Summary } from "./measure.ts";

const WARMUP = 5;
const ROUNDS = 80;

const lookupOrder = (orderId: string) => ({ orderId, status: "shipped" });

/** Enough scripted turns for every run of one variant: a tool call, then the answer. */
function scriptedModel(): ScriptedChatModel {
  const pair: ScriptedTurn[] = [
    {
      toolCalls: [
        { name: "lookup_order", args: { orderId: "5012", rationale: "the order named" } },
      ],
      tokensIn: 50,
      tokensOut: 10,
    },
    { content: "Order 5012 has shipped.", tokensIn: 80, tokensOut: 8 },
  ];
  return new ScriptedChatModel(
    Array.from({ length: (WARMUP + ROUNDS + 2) * 2 }, () => pair).flat(),
  );
}

function bareAgent() {
  const lookup = tool(async ({ orderId }) => JSON.stringify(lookupOrder(orderId)), {
    name: "lookup_order",
    description: "Finds an order by its id",
    schema: z.object({ orderId: z.string(), rationale: z.string().optional() }),
  });
  const agent = createReactAgent({ llm: scriptedModel(), tools: [lookup] });
  return () => agent.invoke({ messages: [{ role: "user", content: "Where is order 5012?" }] });
}

function ourAgent() {
  const lookup = defineTool({
    name: "lookup_order",
    description: "Finds an order by its id",
    input: z.object({ orderId: z.string() }),
    effect: "read",
    run: ({ orderId }) => lookupOrder(orderId),
  });
  const workflow = defineWorkflow({
    name: "agent_bench",
    description: "one agent step",
    version: "1",
    input: z.object({ text: z.string() }),
    output: z.object({ answer: z.string() }),
  })
    .agent("assist", {
      instructions: "Answer questions about orders.",
      tools: [lookup],
      model: scriptedModel(),
      prompt: (state) => state.input.text,
      result: (_state, answer) => ({ output: { answer } }),
    })
    .compile();
  const graph = workflow.graph();
  return () =>
    graph.invoke(
      { input: { text: "Where is order 5012?" } },
      { context: contextValue(detachedContext("bench")) },
    );
}

/** One agent run (2 model calls, 1 tool call), ours vs the prebuilt agent, interleaved. */
export async function agentTurn(): Promise<{
  readonly results: Record<string, Summary>;
  readonly markdown: string;
}> {
  const results = await interleave(
    { "bare: createReactAgent": bareAgent(), "ours: agent step": ourAgent() },
    "bare: createReactAgent",
    { warmup: WARMUP, minRounds: ROUNDS, maxRounds: ROUNDS, budgetMs: 0 },
  );
  const rows = Object.entries(results).map(
    ([name, summary]) =>
      `| ${name} | ${summary.iterations} | ${summary.wallMs.toFixed(2)} | ${summary.cpuMs.toFixed(2)} | ${summary.cpuRatio.toFixed(2)} |`,
  );
  const markdown = [
    "### One agent run: a tool call and an answer (scripted model, in memory)",
    "",
    "| variant | runs | wall ms (median) | CPU ms (median) | CPU ratio vs bare |",
    "| --- | ---: | ---: | ---: | ---: |",
    ...rows,
  ].join("\n");
  return { results, markdown };
}
