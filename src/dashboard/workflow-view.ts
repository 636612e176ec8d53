import { z } from "zod";
import type { CompiledWorkflow } from "../graph/workflow.ts";
import type { Runtime } from "../runtime/runtime.ts";
import type { RunStatus } from "../store/types.ts";
import { readOutcomes } from "./outcomes.ts";
import { type WorkflowGraph, workflowGraph } from "./workflow-graph.ts";

/** Outcome totals of a workflow's runs over a window. */
export interface WorkflowStats {
  readonly since: string;
  readonly runs: number;
  readonly byStatus: Readonly<Partial<Record<RunStatus, number>>>;
  readonly escalated: number;
  readonly llmCalls: number;
  readonly llmAvoided: number;
  readonly costUsd: number;
}

/** A workflow as the dashboard shows it. */
export interface WorkflowView {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  /** The newest registered version (new runs take it). */
  readonly version: string;
  readonly versions: readonly string[];
  readonly inputSchema: unknown;
  readonly graph: WorkflowGraph;
  readonly stats: WorkflowStats;
}

function inputSchemaOf(workflow: CompiledWorkflow): unknown {
  try {
    return z.toJSONSchema(workflow.inputSchema, { io: "input", unrepresentable: "any" });
  } catch {
    return {};
  }
}

/** Every registered workflow (newest version) with its graph, input schema and stats since `since`. */
export async function listWorkflowViews(runtime: Runtime, since: string): Promise<WorkflowView[]> {
  const outcomes = await readOutcomes(runtime.store, { since });
  return runtime.workflows.list().map((workflow) => {
    const days = outcomes.filter((day) => day.workflow === workflow.name);
    const byStatus: Partial<Record<RunStatus, number>> = {};
    for (const day of days)
      for (const [status, count] of Object.entries(day.byStatus))
        byStatus[status as RunStatus] = (byStatus[status as RunStatus] ?? 0) + (count ?? 0);
    const sum = (pick: (day: (typeof days)[number]) => number) =>
      days.reduce((total, day) => total + pick(day), 0);
    return {
      name: workflow.name,
      title: workflow.title,
      description: workflow.description,
      version: workflow.version,
      versions: runtime.workflows.versionsOf(workflow.name),
      inputSchema: inputSchemaOf(workflow),
      graph: workflowGraph(workflow),
      stats: {
        since,
        runs: sum((day) => day.volume),
        byStatus,
        escalated: sum((day) => day.escalated),
        llmCalls: sum((day) => day.llmCalls),
        llmAvoided: sum((day) => day.llmAvoided),
        costUsd: sum((day) => day.costUsd),
      },
    };
  });
}
