import { END, START, StateGraph } from "@langchain/langgraph";
import type { BaseCheckpointSaver } from "@langchain/langgraph-checkpoint";
import type { z } from "zod";
import { createAgentNode } from "./agent-node.ts";
import { approvalTargets, createApprovalNode } from "./approval-node.ts";
import { withDecisionLog } from "./node-call.ts";
import type { NodeSpec } from "./node-spec.ts";
import {
  createFanOutNode,
  createJoinNode,
  createWorkerNode,
  parallelNodeNames,
} from "./parallel-node.ts";
import { branchTargets, createRouteNode, graphTarget, type RouteDecision } from "./route-node.ts";
import { createFallbackHandler, createStepNode, toRetryPolicy } from "./step-node.ts";
import { createSubworkflowNode } from "./subworkflow-node.ts";
import { END_NODE } from "./types.ts";
import { createWorkflowState } from "./workflow-state.ts";

export interface BuildGraphOptions {
  readonly input: z.ZodType;
  readonly output: z.ZodType;
  readonly fields: z.ZodRawShape;
  readonly nodes: readonly NodeSpec[];
  readonly start: string;
  readonly checkpointer: BaseCheckpointSaver | undefined;
  /** Keep `input` out of the checkpoints (untracked); nodes read it from the run context. */
  readonly inputInStore?: boolean;
  /** The decision of each route node, shared by every graph of the workflow (one classifier each). */
  readonly routeDecision?: (node: string) => RouteDecision;
}

// The graph's exact generic type is LangGraph's business; callers only invoke and stream it.
type AnyGraph = StateGraph<never, never, never, string>;
type Loose = {
  addNode(name: string, action: unknown, options?: unknown): Loose;
  addEdge(from: string, to: string): Loose;
  compile(options?: unknown): unknown;
};

type FallbackHandler = ReturnType<typeof createFallbackHandler>;

/** A step's fallback sees the same state as the step (see {@link withDecisionLog}). */
function hydrated(handler: FallbackHandler): FallbackHandler {
  if (handler === undefined) return undefined;
  return (state, failure, config) =>
    withDecisionLog((current: typeof state) => handler(current, failure, config))(state, config);
}

function ends(targets: Iterable<string>): string[] {
  return [...new Set([...targets].map(graphTarget))];
}

function addSpec(
  graph: Loose,
  spec: NodeSpec,
  edges: [string, string][],
  routeDecision: BuildGraphOptions["routeDecision"],
): void {
  switch (spec.kind) {
    case "step": {
      const { options } = spec;
      graph.addNode(spec.name, withDecisionLog(createStepNode(spec.name, options)), {
        retryPolicy: toRetryPolicy(options.retry),
        timeout: options.timeoutMs,
        errorHandler: hydrated(createFallbackHandler(spec.name, options)),
      });
      edges.push([spec.name, options.next ?? END_NODE]);
      return;
    }
    case "route":
      graph.addNode(
        spec.name,
        withDecisionLog(createRouteNode(spec.name, spec.options, routeDecision?.(spec.name))),
        { ends: ends(Object.values(branchTargets(spec.options))) },
      );
      return;
    case "approval":
      graph.addNode(spec.name, withDecisionLog(createApprovalNode(spec.name, spec.options)), {
        ends: ends(Object.values(approvalTargets(spec.options))),
      });
      return;
    case "parallel": {
      const { worker, join } = parallelNodeNames(spec.name);
      graph.addNode(spec.name, withDecisionLog(createFanOutNode(spec.name, spec.options), false), {
        ends: [worker, join],
      });
      graph.addNode(worker, createWorkerNode(spec.name, spec.options));
      graph.addNode(join, withDecisionLog(createJoinNode(spec.name, spec.options)));
      edges.push([worker, join], [join, spec.options.next ?? END_NODE]);
      return;
    }
    case "subworkflow":
      graph.addNode(spec.name, withDecisionLog(createSubworkflowNode(spec.name, spec.options)));
      edges.push([spec.name, spec.options.next ?? END_NODE]);
      return;
    case "agent":
      graph.addNode(spec.name, withDecisionLog(createAgentNode(spec.name, spec.options)));
      edges.push([spec.name, spec.options.next ?? END_NODE]);
      return;
  }
}

/** Assembles and compiles the LangGraph `StateGraph` for validated nodes. */
export function buildGraph(options: BuildGraphOptions) {
  const state = createWorkflowState(options.input, options.output, options.fields, {
    inputInStore: options.inputInStore,
  });
  const graph = new StateGraph(state) as unknown as AnyGraph as unknown as Loose;
  const edges: [string, string][] = [];
  for (const spec of options.nodes) addSpec(graph, spec, edges, options.routeDecision);
  graph.addEdge(START, options.start);
  for (const [from, to] of edges) graph.addEdge(from, to === END_NODE ? END : to);
  return graph.compile({ checkpointer: options.checkpointer }) as WorkflowGraph;
}

/** What callers use of a compiled LangGraph graph. */
export interface WorkflowGraph {
  invoke(input: unknown, config?: Record<string, unknown>): Promise<Record<string, unknown>>;
  stream(input: unknown, config?: Record<string, unknown>): Promise<AsyncIterable<unknown>>;
  getState(config: Record<string, unknown>): Promise<{
    values: Record<string, unknown>;
    next: string[];
    tasks: readonly { interrupts: readonly { id?: string; value?: unknown }[] }[];
    /** When the latest checkpoint was written; absent when the thread has none. */
    createdAt?: string;
  }>;
}
