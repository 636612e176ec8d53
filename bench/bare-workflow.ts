/**
 * The bare twin of a signalbox workflow, for "same shape" comparisons: the same
 * state schema, nodes, edges and user code (step bodies, route rules, the same
 * offline classifier, approval conditions) compiled into a plain LangGraph
 * `StateGraph`, without our wrappers: no events, decision log, effect journal,
 * approvals table or fencing. What is left of the difference is what signalbox adds.
 */

import { randomUUID } from "node:crypto";
import { Command, END, interrupt, Send, START, StateGraph } from "@langchain/langgraph";
import type { BaseCheckpointSaver } from "@langchain/langgraph-checkpoint";
import pino from "pino";
import { z } from "zod";
import type { NodeSpec } from "../src/graph/node-spec.ts";
import { normalizeText } from "../src/graph/normalize-text.ts";
import type { ParallelBranch, RouteOptions, StepContext, StepOptions } from "../src/graph/types.ts";
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

type ParallelSpec = Extract<NodeSpec, { kind: "parallel" }>;

/**
 * A parallel node the plain LangGraph way: a fan-out node sending one item per sub-step
 * (or item) to a worker node, whose results a join node hands to the same `join`. A failing
 * sub-step takes its fallback, as ours does; no timeouts, no decision for the fallback.
 */
function addBareParallel(graph: LooseGraph, spec: ParallelSpec, edges: [string, string][]): void {
  const { options } = spec;
  const worker = `${spec.name}__item`;
  const join = `${spec.name}__join`;
  const named = options.branches ? Object.keys(options.branches) : undefined;
  type Work = { index: number; name: string; item: unknown; state: State };
  graph.addNode(
    spec.name,
    (state: State) => {
      const items = named ?? options.items?.(state) ?? [];
      if (items.length === 0) return new Command({ goto: join });
      return new Command({
        goto: items.map(
          (item, index) =>
            new Send(worker, { index, name: named?.[index] ?? String(index), item, state }),
        ),
      });
    },
    { ends: [worker, join] },
  );
  graph.addNode(worker, async (work: Work) => {
    const context = stepContext(spec.name);
    let result: unknown;
    const branch = options.branches?.[work.name] as ParallelBranch<State> | undefined;
    if (branch === undefined) result = await options.run?.(work.item, context);
    else {
      const one = typeof branch === "function" ? { run: branch } : branch;
      try {
        result = await one.run(work.state, context);
      } catch (error) {
        if (!("fallback" in one) || one.fallback === undefined) throw error;
        result = one.fallback(work.state, error as Error);
      }
    }
    return { parallel: { [spec.name]: { [String(work.index)]: result ?? null } } };
  });
  graph.addNode(join, (state: State) => {
    const collected = ((state.parallel as Record<string, Record<string, unknown>> | undefined)?.[
      spec.name
    ] ?? {}) as Record<string, unknown>;
    const indexes = Object.keys(collected)
      .map(Number)
      .sort((a, b) => a - b);
    const names = indexes.map((index) => named?.[index] ?? String(index));
    const results = indexes.map((index) => collected[String(index)]);
    return { ...(options.join(state, results, names) ?? {}), parallel: { [spec.name]: null } };
  });
  edges.push([worker, join], [join, target(options.next ?? END_NODE)]);
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

/**
 * Compiles `workflow` as a plain LangGraph graph: steps, routes, approvals, parallel nodes
 * and subworkflows (the child's own twin, run as a subgraph). An agent node is added but
 * refuses to run: the bare twin has no agent loop, so compare paths that do not reach one.
 */
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
    } else if (spec.kind === "parallel") {
      addBareParallel(graph, spec, edges);
    } else if (spec.kind === "subworkflow") {
      const { options } = spec;
      const child = bareTwin(options.workflow);
      graph.addNode(spec.name, async (state: State) => {
        const final = await child.invoke({
          input: options.workflow.parseInput(options.input(state)),
        });
        return options.output?.(state, options.workflow.parseOutput(final.output)) ?? {};
      });
      edges.push([spec.name, target(options.next ?? END_NODE)]);
    } else if (spec.kind === "agent") {
      graph.addNode(spec.name, () => {
        throw new Error(`the bare twin does not run agent steps (${spec.name})`);
      });
      edges.push([spec.name, target(spec.options.next ?? END_NODE)]);
    } else throw new Error(`the bare twin has no ${(spec as NodeSpec).kind} nodes`);
  }
  graph.addEdge(START, workflow.start);
  for (const [from, to] of edges) graph.addEdge(from, to);
  return graph.compile({ checkpointer }) as Invokable;
}
