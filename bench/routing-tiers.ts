/**
 * Routing cost per decision for each tier of the cascade: rules, the offline
 * classifier, and an LLM (ChatOpenAI over loopback HTTP to the local
 * OpenAI-compatible test server answering at once, so this is our overhead plus
 * the wire, not a model's thinking time).
 */
import { ChatOpenAI } from "@langchain/openai";
import { z } from "zod";
import type { Decider } from "../src/contracts/decider.ts";
import { contextValue, detachedContext } from "../src/graph/run-context.ts";
import { defineWorkflow } from "../src/graph/workflow.ts";
import { ChatProvider } from "../src/models/chat-provider.ts";
import { createLlmDecider } from "../src/models/llm-decider.ts";
import { startOpenAiTestServer } from "../src/testing/openai-server.ts";
import { median } from "./measure.ts";

const BRANCHES = {
  refund: {
    description: "wants money back",
    examples: ["refund my order", "I want my money back", "reverse the charge"],
  },
  technical: {
    description: "something is broken",
    examples: ["the app crashes", "error 500 on upload", "cannot log in"],
  },
  billing: {
    description: "a question about invoices or prices",
    examples: ["where is my invoice", "what does pro cost"],
  },
};

function routeWorkflow(tier: "rules" | "classifier" | "llm") {
  return defineWorkflow({
    name: `tier_${tier}`,
    description: "bench",
    version: "1",
    input: z.object({ text: z.string() }),
    output: z.object({}),
  })
    .route("pick", {
      branches: { ...BRANCHES, done: { description: "never chosen", to: "end" } },
      text: (state) => state.input.text,
      rules: tier === "rules" ? [{ name: "always", when: () => true, branch: "refund" }] : [],
      decider: tier === "rules" ? null : undefined,
      defaultBranch: "done",
      // Forces the LLM tier on every decision for the llm row.
      classifierThreshold: tier === "llm" ? 1.01 : 0.8,
    })
    .step("refund", { run: () => ({ output: {} }) })
    .step("technical", { run: () => ({ output: {} }) })
    .step("billing", { run: () => ({ output: {} }) })
    .compile();
}

async function perDecision(
  tier: "rules" | "classifier" | "llm",
  llm: Decider | undefined,
  rounds: number,
) {
  const graph = routeWorkflow(tier).graph();
  const context = { ...detachedContext(`bench-${tier}`), llm };
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    await graph.invoke(
      { input: { text: "hmm, about the thing from last week" } },
      { context: contextValue(context) },
    );
    walls.push((performance.now() - started) * 1000);
    const used = process.cpuUsage(cpu);
    cpus.push(used.user + used.system);
  }
  return { tier, wallUs: median(walls.slice(3)), cpuUs: median(cpus.slice(3)) };
}

/** Runs the tiers and returns a markdown table. */
export async function routingTiers(rounds = 60): Promise<string> {
  const server = await startOpenAiTestServer();
  server.respondWith(() => ({
    kind: "json",
    value: { branch: "technical", reason: "bench", confidence: 0.9 },
  }));
  try {
    const model = new ChatOpenAI({
      model: "bench",
      apiKey: "bench",
      maxRetries: 0,
      configuration: { baseURL: server.url },
    });
    const llm = createLlmDecider(new ChatProvider({ id: "openai-compatible:bench", model }));
    const results = [];
    for (const tier of ["rules", "classifier", "llm"] as const)
      results.push(await perDecision(tier, tier === "llm" ? llm : undefined, rounds));
    const base = results[0] as { wallUs: number; cpuUs: number };
    const rows = results.map(
      (row) =>
        `| ${row.tier} | ${Math.round(row.wallUs).toLocaleString("en")} | ${Math.round(row.cpuUs).toLocaleString("en")} | ${Math.round(row.wallUs - base.wallUs).toLocaleString("en")} | ${(row.cpuUs / base.cpuUs).toFixed(2)}× |`,
    );
    return [
      "## Routing cost per decision, by cascade tier (one-route graph, no checkpointer)",
      "",
      "| Tier | Wall µs per run | CPU µs per run | Wall µs over rules | CPU vs rules |",
      "| --- | ---: | ---: | ---: | ---: |",
      ...rows,
      "",
      "Each run is one route decision plus one step. LLM row: ChatOpenAI → loopback HTTP → the local",
      "test server in this process answering at once, so its CPU includes the server's and no model time.",
    ].join("\n");
  } finally {
    await server.close();
  }
}
