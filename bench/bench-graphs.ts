/**
 * The graphs the benchmarks compare: each one twice, as a hand-written
 * LangGraph `StateGraph` ("bare") and as a signalbox workflow ("ours"), over
 * the same state schema.
 */

import {
  Command,
  END,
  type LangGraphRunnableConfig,
  ReducedValue,
  START,
  StateGraph,
  StateSchema,
} from "@langchain/langgraph";
import type { BaseCheckpointSaver } from "@langchain/langgraph-checkpoint";
import { z } from "zod";
import type { DecisionRecord } from "../src/contracts/decision.ts";
import { type CompiledWorkflow, defineWorkflow } from "../src/graph/workflow.ts";
import { createWorkflowState } from "../src/graph/workflow-state.ts";

export const BENCH_INPUT = { text: "benchmark input" };

const Input = z.object({ text: z.string() });
const ChainOutput = z.object({ count: z.number() });
const chainFields = { counter: z.number() };

/** What the benchmarks use of a compiled graph. */
export interface Invokable {
  invoke(input: unknown, config?: Record<string, unknown>): Promise<Record<string, unknown>>;
}

// A StateGraph's node names are type parameters; these graphs name nodes in loops.
type LooseGraph = {
  addNode(name: string, action: unknown, options?: unknown): LooseGraph;
  addEdge(from: string, to: string): LooseGraph;
  compile(options?: unknown): unknown;
};

function looseGraph(state: unknown): LooseGraph {
  return new StateGraph(state as never) as unknown as LooseGraph;
}

type State = Record<string, unknown>;

const stepName = (index: number) => `n${index}`;
const routeName = (index: number) => `r${index}`;

/** A chain of `nodes` plain nodes, each returning a small update; the last sets the output. */
export function bareChain(nodes: number, checkpointer?: BaseCheckpointSaver): Invokable {
  const graph = looseGraph(createWorkflowState(Input, ChainOutput, chainFields));
  for (let index = 0; index < nodes; index += 1) {
    const last = index === nodes - 1;
    graph.addNode(
      stepName(index),
      last ? () => ({ counter: index, output: { count: index } }) : () => ({ counter: index }),
    );
  }
  graph.addEdge(START, stepName(0));
  for (let index = 0; index < nodes - 1; index += 1)
    graph.addEdge(stepName(index), stepName(index + 1));
  graph.addEdge(stepName(nodes - 1), END);
  return graph.compile({ checkpointer }) as Invokable;
}

/** The same chain as `defineWorkflow().step(...)` nodes. */
export function chainWorkflow(nodes: number): CompiledWorkflow {
  const builder = defineWorkflow({
    name: `bench-chain-${nodes}`,
    description: `A chain of ${nodes} trivial steps`,
    version: "1",
    input: Input,
    output: ChainOutput,
    state: chainFields,
    maxSteps: nodes + 10,
  });
  for (let index = 0; index < nodes; index += 1) {
    const last = index === nodes - 1;
    builder.step(stepName(index), {
      run: last ? () => ({ counter: index, output: { count: index } }) : () => ({ counter: index }),
      next: last ? undefined : stepName(index + 1),
    });
  }
  return builder.compile() as CompiledWorkflow;
}

const routeChoice = (branch: string, reason: string) => ({
  branch,
  reason,
  confidence: null,
  decidedBy: "classifier",
});

/**
 * A chain of `routes` routing nodes, each returning `Command({ goto })` to the
 * next with the same `routes` update a signalbox route writes (no decision record).
 */
export function bareRouteChain(routes: number, checkpointer?: BaseCheckpointSaver): Invokable {
  const graph = looseGraph(createWorkflowState(Input, z.unknown(), {}));
  for (let index = 0; index < routes; index += 1) {
    const name = routeName(index);
    const next = index === routes - 1 ? END : routeName(index + 1);
    graph.addNode(
      name,
      () =>
        new Command({
          goto: next,
          update: { routes: { [name]: routeChoice("go", "trivial decider") } },
        }),
      { ends: [next] },
    );
  }
  graph.addEdge(START, routeName(0));
  return graph.compile({ checkpointer }) as Invokable;
}

/** The same chain as signalbox routes with a trivial function decider. */
export function routeChainWorkflow(routes: number): CompiledWorkflow {
  const builder = defineWorkflow({
    name: `bench-routes-${routes}`,
    description: `A chain of ${routes} trivial routes`,
    version: "1",
    input: Input,
    output: z.unknown(),
    maxSteps: routes + 10,
  });
  for (let index = 0; index < routes; index += 1) {
    builder.route(routeName(index), {
      branches: {
        go: { description: "keep going", to: index === routes - 1 ? "end" : routeName(index + 1) },
        stop: { description: "stop here", to: "end" },
      },
      decider: () => ({ branch: "go", reason: "trivial decider" }),
      defaultBranch: "stop",
    });
  }
  return builder.compile() as CompiledWorkflow;
}

const mergeRecords = (current: State, update: State) => ({ ...current, ...update });

/**
 * The workflow state with decisions in an ordinary reducer channel (what a
 * plain LangGraph user would write): every checkpoint stores the whole list.
 */
export function bareStateWithReducedDecisions() {
  return new StateSchema({
    input: Input,
    output: z.unknown().optional(),
    routes: new ReducedValue(
      z.record(z.string(), z.unknown()).default(() => ({})),
      { reducer: mergeRecords },
    ),
    approvals: new ReducedValue(
      z.record(z.string(), z.unknown()).default(() => ({})),
      { reducer: mergeRecords },
    ),
    parallel: new ReducedValue(
      z.record(z.string(), z.unknown()).default(() => ({})),
      { reducer: mergeRecords },
    ),
    decisions: new ReducedValue(
      z.array(z.custom<DecisionRecord>()).default(() => []),
      {
        inputSchema: z.array(z.custom<DecisionRecord>()),
        reducer: (current: DecisionRecord[], update: DecisionRecord[]) => current.concat(update),
      },
    ),
  });
}

const loopReason = (made: number, steps: number) => `decision ${made + 1} of ${steps}`;

/**
 * One node routing back to itself until it has made `steps` decisions, each
 * appended (as a full decision record) through a plain reducer channel.
 */
export function bareDecisionLoop(steps: number, checkpointer: BaseCheckpointSaver): Invokable {
  const graph = looseGraph(bareStateWithReducedDecisions());
  graph.addNode(
    "loop",
    (state: { decisions: DecisionRecord[] }, config: LangGraphRunnableConfig) => {
      const made = state.decisions.length;
      const choice = made + 1 < steps ? "again" : "done";
      const step = Number(config.metadata?.langgraph_step ?? 0);
      const runId = String(config.configurable?.thread_id ?? "bare");
      const reason = loopReason(made, steps);
      const record: DecisionRecord = {
        modelId: null,
        tokensIn: null,
        tokensOut: null,
        latencyMs: 0.004,
        node: "loop",
        kind: "route",
        options: [{ name: "again" }, { name: "done" }],
        choice,
        reason,
        confidence: null,
        decidedBy: "classifier",
        key: `loop@${step}.1#0`,
        runId,
        sequence: made + 1,
        at: new Date().toISOString(),
        step,
      };
      return new Command({
        goto: choice === "again" ? "loop" : END,
        update: { routes: { loop: routeChoice(choice, reason) }, decisions: [record] },
      });
    },
    { ends: ["loop", END] },
  );
  graph.addEdge(START, "loop");
  return graph.compile({ checkpointer }) as Invokable;
}

/** The same loop as a signalbox route whose function decider counts the decisions so far. */
export function decisionLoopWorkflow(steps: number): CompiledWorkflow {
  return defineWorkflow({
    name: `bench-loop-${steps}`,
    description: `One route looping back to itself ${steps} times`,
    version: "1",
    input: Input,
    output: z.unknown(),
    maxSteps: steps + 10,
  })
    .route("loop", {
      branches: {
        again: { description: "loop once more", to: "loop" },
        done: { description: "stop looping", to: "end" },
      },
      decider: (request) => {
        const made = request.state.decisions.length;
        return { branch: made + 1 < steps ? "again" : "done", reason: loopReason(made, steps) };
      },
      defaultBranch: "done",
    })
    .compile() as CompiledWorkflow;
}
