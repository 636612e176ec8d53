import { END, START, StateGraph } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createRouteNode, createStepNode, createWorkflowState } from "../../src/index.ts";

describe("node factories in a hand-written LangGraph graph", () => {
  it("routes and keeps the decision in graph state without a signalbox runtime", async () => {
    const state = createWorkflowState(
      z.object({ text: z.string() }),
      z.object({ answer: z.string() }),
      {},
    );
    const route = createRouteNode("pick", {
      branches: { yes: { description: "agrees" }, no: { description: "disagrees" } },
      rules: [
        {
          name: "says yes",
          when: (s) => String((s.input as { text: string }).text).includes("yes"),
          branch: "yes",
        },
      ],
      decider: null,
      defaultBranch: "no",
    });
    const answer = (text: string) =>
      createStepNode(text, { run: () => ({ output: { answer: text } }) });
    const graph = new StateGraph(state)
      .addNode("pick", route, { ends: ["yes", "no"] })
      .addNode("yes", answer("yes"))
      .addNode("no", answer("no"))
      .addEdge(START, "pick")
      .addEdge("yes", END)
      .addEdge("no", END)
      .compile();
    const final = await graph.invoke({ input: { text: "oh yes" } });
    expect(final.output).toEqual({ answer: "yes" });
    expect(final.decisions).toHaveLength(1);
    expect(final.decisions[0]).toMatchObject({ node: "pick", choice: "yes", decidedBy: "rule" });
  });
});
