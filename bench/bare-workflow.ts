/**
 * The bare twin of a signalbox workflow, for "same shape" comparisons: the same
 * state schema, nodes, edges and user code (step bodies, route rules, the same
 * offline classifier, approval conditions) compiled into a plain LangGraph
 * `StateGraph`, without our wrappers: no events, decision log, effect journal,
 * approvals table or fencing. What is left of the difference is what signalbox adds.
 */

import { randomUUID } from "node:crypto";
import { Command, END, interrupt, START, StateGraph } from "@langchain/langgraph";
import type { BaseCheckpointSaver } from "@langchain/langgraph-checkpoint";
import pino from "pino";
import { z } from "zod";
import type { NodeSpec } from "../src/graph/node-spec.ts";
import { normalizeText } from "../src/graph/normalize-text.ts";
import type { RouteOptions, StepContext, StepOptions } from "../src/graph/types.ts";
import { END_NODE } from "../src/graph/types.ts";
import type { CompiledWorkflow } from "../src/graph/workflow.ts";
import { createWorkflowState, RESERVED_FIELDS } from "../src/graph/workflow-state.ts";
import { createOfflineDecider } from "../src/models/offline-decider.ts";
import type { Invokable } from "./bench-graphs.ts";

type State = Record<string, unknown>;
type LooseGraph = {
  addNode(name: string, action: unknown, options?: unknown): LooseGraph;
  addEdge(from: string, to: string): LooseGraph;
  compile(options?: unknown): unknown;
};

const silent = pino({ level: "silent" });
const target = (name: string) => (name === END_NODE ? END : name);

function stepContext(node: string): StepContext {
  return {
    runId: "bare",
    node,
    dryRun: false,
    logger: silent,
    attempt: 1,
    idempotencyKey: randomUUID(),
    signal: undefined,
    decide: () => {},
  };
}

function bareStep(name: string, options: StepOptions<State, State>) {
  return async (state: State) => (await options.run(state, stepContext(name))) ?? {};
}

function bareRoute(options: RouteOptions<State>) {
  const names = Object.keys(options.branches);
  const classifier = createOfflineDecider(
    names.map((branch) => ({
      name: branch,
      description: options.branches[branch]?.description ?? branch,
      examples: options.branches[branch]?.examples ?? [],
    })),
  );
  if (typeof options.decider === "object" && options.decider !== null)
    throw new Error("the bare twin runs offline deciders only");
  const decider = options.decider;
  const textOf = options.text ?? ((state: State) => JSON.stringify(state.input ?? ""));
  const go = (state: State, branch: string, reason: string) => {
    const to = options.branches[branch]?.to ?? branch;
    return new Command({
      goto: target(to),
      update: { routes: { [String(state.__node)]: { branch, reason } } },
    });
  };
  return async (state: State) => {
    const text = normalizeText(textOf(state));
    const rule = options.rules?.find((candidate) => candidate.when(state, text));
    if (rule !== undefined) return go(state, rule.branch, rule.name);
    if (decider === null) return go(state, options.defaultBranch, "default");
    const request = { node: "route", text, branches: [], state };
    const answer =
      decider === undefined
        ? (await classifier.ask(request, () => {})).value
        : await (decider as (request: unknown) => unknown)(request);
    const { branch, confidence } = answer as { branch: string; confidence?: number };
    const low = options.minConfidence !== undefined && (confidence ?? 1) < options.minConfidence;
    return go(state, low ? (options.escalationBranch ?? options.defaultBranch) : branch, "decider");
  };
}

function targetsOf(spec: NodeSpec): string[] {
  switch (spec.kind) {
    case "route":
      return Object.values(spec.options.branches).map((branch, index) =>
        target(branch.to ?? Object.keys(spec.options.branches)[index] ?? END_NODE),
      );
    case "approval": {
      const on = spec.options.on ?? {};
      return [...new Set([on.approved ?? spec.options.next ?? END_NODE, ...Object.values(on)])].map(
        (name) => target(name ?? END_NODE),
      );
    }
    default:
      return [];
  }
}

function bareApproval(spec: Extract<NodeSpec, { kind: "approval" }>) {
  const { options } = spec;
  const approved = target(options.on?.approved ?? options.next ?? END_NODE);
  return (state: State) => {
    if (options.when !== undefined && !options.when(state))
      return new Command({ goto: approved, update: { approvals: { [spec.name]: "skipped" } } });
    const answer = interrupt({ message: options.message(state) }) as { status: string };
    const next = (options.on as Record<string, string | undefined> | undefined)?.[answer.status];
    return new Command({
      goto: target(next ?? END_NODE),
      update: { approvals: { [spec.name]: answer } },
    });
  };
}

/** The workflow's own state fields, read off its compiled graph's channels. */
function ownFields(workflow: CompiledWorkflow): Record<string, z.ZodType> {
  const channels = Object.keys((workflow.graph() as unknown as { channels: object }).channels);
  const reserved = new Set<string>(RESERVED_FIELDS);
  const own = channels.filter(
    (name) => !reserved.has(name) && !name.startsWith("__") && !name.startsWith("branch:"),
  );
  return Object.fromEntries(own.map((name) => [name, z.unknown()]));
}

/** Compiles `workflow` (steps, routes and approvals only) as a plain LangGraph graph. */
export function bareTwin(
  workflow: CompiledWorkflow,
  checkpointer?: BaseCheckpointSaver,
): Invokable {
  const state = createWorkflowState(
    workflow.inputSchema,
    workflow.outputSchema,
    ownFields(workflow),
  );
  const graph = new StateGraph(state as never) as unknown as LooseGraph;
  const edges: [string, string][] = [];
  for (const spec of workflow.nodes) {
    if (spec.kind === "step") {
      graph.addNode(spec.name, bareStep(spec.name, spec.options));
      edges.push([spec.name, target(spec.options.next ?? END_NODE)]);
    } else if (spec.kind === "route") {
      const route = bareRoute(spec.options);
      graph.addNode(spec.name, (state: State) => route({ ...state, __node: spec.name }), {
        ends: targetsOf(spec),
      });
    } else if (spec.kind === "approval") {
      graph.addNode(spec.name, bareApproval(spec), { ends: targetsOf(spec) });
    } else throw new Error(`the bare twin has no ${spec.kind} nodes`);
  }
  graph.addEdge(START, workflow.start);
  for (const [from, to] of edges) graph.addEdge(from, to);
  return graph.compile({ checkpointer }) as Invokable;
}
