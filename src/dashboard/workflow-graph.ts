import { toMermaid, type WorkflowEdge, workflowEdges } from "../graph/mermaid.ts";
import type { NodeKind } from "../graph/node-spec.ts";
import type { CompiledWorkflow } from "../graph/workflow.ts";

/** A workflow graph for drawing: Mermaid text, and the nodes and edges as data. */
export interface WorkflowGraph {
  readonly mermaid: string;
  readonly start: string;
  readonly nodes: readonly { readonly name: string; readonly kind: NodeKind }[];
  readonly edges: readonly WorkflowEdge[];
  /** The nodes a run went through, in order (empty for a workflow on its own). */
  readonly path: readonly string[];
}

/** The graph of `workflow`, with `path` highlighted in the Mermaid text. */
export function workflowGraph(
  workflow: CompiledWorkflow,
  path: readonly string[] = [],
): WorkflowGraph {
  return {
    mermaid: toMermaid(workflow.nodes, workflow.start, path),
    start: workflow.start,
    nodes: workflow.nodes.map((spec) => ({ name: spec.name, kind: spec.kind })),
    edges: workflowEdges(workflow.nodes, workflow.start),
    path,
  };
}
