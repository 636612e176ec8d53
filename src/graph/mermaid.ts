import type { DecisionRecord } from "../contracts/decision.ts";
import { approvalTargets } from "./approval-node.ts";
import { groupDecisionPath } from "./decision-path.ts";
import type { NodeSpec } from "./node-spec.ts";
import { branchTargets } from "./route-node.ts";
import { END_NODE } from "./types.ts";
import { nodeTargets } from "./validate-workflow.ts";

/** One edge of a workflow graph; `__start` and `__end` stand for the entry and the end. */
export interface WorkflowEdge {
  readonly from: string;
  readonly to: string;
  readonly label: string;
}

type Edge = WorkflowEdge;

/** The edges of a workflow graph, from `__start` through every declared target to `__end`. */
export function workflowEdges(nodes: readonly NodeSpec[], start: string): Edge[] {
  const edges: Edge[] = [{ from: "__start", to: start, label: "" }];
  for (const spec of nodes) {
    for (const { target, via } of nodeTargets(spec)) {
      const label = via === "next" ? "" : via.replace(/^(branch|outcome) /, "").replaceAll('"', "");
      edges.push({ from: spec.name, to: target === END_NODE ? "__end" : target, label });
    }
  }
  return edges;
}

/** Where a node led in this run, read from the decision log (steps follow `next`). */
function takenTarget(spec: NodeSpec, decisions: DecisionRecord[]): string | undefined {
  const index = decisions.findIndex(
    (decision) =>
      decision.node === spec.name &&
      (decision.kind === "route" || decision.kind === "escalation" || decision.kind === "approval"),
  );
  const decision = index >= 0 ? decisions.splice(index, 1)[0] : undefined;
  if (spec.kind === "route")
    return decision ? branchTargets(spec.options)[decision.choice] : undefined;
  if (spec.kind === "approval") {
    if (!decision) return undefined;
    const targets = approvalTargets(spec.options);
    return decision.choice === "not_required"
      ? targets.approved
      : targets[decision.choice as keyof typeof targets];
  }
  return spec.options.next ?? END_NODE;
}

/**
 * The path a run took through the graph, replayed from its decision log:
 * the nodes in order, ending with `end` when the run got there.
 */
export function takenPath(
  nodes: readonly NodeSpec[],
  start: string,
  decisions: readonly DecisionRecord[],
  reachedEnd: boolean,
): string[] {
  const byName = new Map(nodes.map((spec) => [spec.name, spec]));
  const pending = [...decisions];
  const path: string[] = [];
  let current: string | undefined = start;
  while (current !== undefined && path.length <= nodes.length * 4) {
    path.push(current);
    if (current === END_NODE) break;
    const spec = byName.get(current);
    if (spec === undefined) break;
    const next = takenTarget(spec, pending);
    if (next === END_NODE && !reachedEnd) break;
    current = next;
  }
  return path;
}

const id = (name: string) => (name === END_NODE ? "__end" : name.replaceAll("-", "_"));

/**
 * Renders a workflow as a Mermaid flowchart; with a taken path, the nodes and
 * edges the run went through are highlighted.
 */
export function toMermaid(
  nodes: readonly NodeSpec[],
  start: string,
  path: readonly string[] = [],
): string {
  const shape = (spec: NodeSpec) =>
    spec.kind === "route"
      ? `{"${spec.name}"}`
      : spec.kind === "approval"
        ? `[/"${spec.name} (approval)"/]`
        : spec.kind === "parallel"
          ? `[["${spec.name} (parallel)"]]`
          : spec.kind === "agent"
            ? `(["${spec.name} (agent)"])`
            : `["${spec.name}"]`;
  const lines = ["flowchart TD", '  __start(("start"))', '  __end(("end"))'];
  for (const spec of nodes) lines.push(`  ${id(spec.name)}${shape(spec)}`);
  const edges = workflowEdges(nodes, start);
  const taken = new Set<string>();
  const steps = ["__start", ...path.map(id)];
  for (let index = 1; index < steps.length; index += 1)
    taken.add(`${steps[index - 1]}>${steps[index]}`);
  const highlighted: number[] = [];
  edges.forEach((edge, index) => {
    lines.push(`  ${id(edge.from)} -->${edge.label ? `|${edge.label}|` : ""} ${id(edge.to)}`);
    if (taken.has(`${id(edge.from)}>${id(edge.to)}`)) highlighted.push(index);
  });
  if (path.length > 0) {
    lines.push("  classDef taken fill:#d1f7c4,stroke:#2f8a1f,stroke-width:2px");
    lines.push(`  class ${[...new Set(path.map(id))].join(",")} taken`);
  }
  if (highlighted.length > 0)
    lines.push(`  linkStyle ${highlighted.join(",")} stroke:#2f8a1f,stroke-width:3px`);
  return lines.join("\n");
}

/**
 * Adds a run's agent tool calls to its chart (issue 16): under each agent step, its
 * calls in order, numbered, joined to the step by dotted edges; a call the step
 * turned down shows how (`refused`, `invalid_arguments`, `rejected`).
 */
export function withToolCalls(chart: string, decisions: readonly DecisionRecord[]): string {
  const lines = [chart];
  for (const { step, entries } of groupDecisionPath(decisions)) {
    const calls = entries.filter((entry) => entry.decision.kind === "tool");
    if (calls.length === 0) continue;
    let previous = id(step);
    calls.forEach((entry, index) => {
      const node = `${id(step)}__call${index + 1}`;
      const label = `${index + 1}. ${entry.decision.choice}`.replaceAll('"', "'");
      lines.push(`  ${node}[/"${label}"/]`, `  ${previous} -.-> ${node}`);
      previous = node;
    });
    lines.push(
      `  class ${calls.map((_entry, index) => `${id(step)}__call${index + 1}`).join(",")} toolcall`,
    );
  }
  if (lines.length > 1) lines.push("  classDef toolcall fill:#eef3ff,stroke:#5470c6");
  return lines.join("\n");
}
