import { takenPath } from "../graph/mermaid.ts";
import type { RunDetails, Runtime } from "../runtime/runtime.ts";
import type { RunRecord, StoredEvent } from "../store/types.ts";
import { type RunSummary, summarizeRun } from "./run-page.ts";
import { type WorkflowGraph, workflowGraph } from "./workflow-graph.ts";

/** Everything the run page shows. */
export interface RunView extends RunDetails {
  /** The run's stored events in order (at most {@link MAX_EVENTS}). */
  readonly events: readonly StoredEvent[];
  readonly parent: RunSummary | null;
  readonly children: readonly RunSummary[];
  /** The graph of the run's workflow version with the path taken; null when this process lacks that version. */
  readonly graph: WorkflowGraph | null;
}

export const MAX_EVENTS = 5000;
const MAX_CHILDREN = 500;

async function parentOf(runtime: Runtime, run: RunRecord): Promise<RunSummary | null> {
  if (run.parentRunId === null) return null;
  const parent = await runtime.store.getRun(run.parentRunId);
  return parent === undefined ? null : summarizeRun(parent);
}

/**
 * Reads a run with its decisions, effects, approvals, events, parent and children,
 * and the path it took through its workflow's graph (replayed from its decisions).
 * @throws SignalboxError RUN_NOT_FOUND
 */
export async function readRunView(runtime: Runtime, runId: string): Promise<RunView> {
  const details = await runtime.get(runId);
  const { run } = details;
  const [events, parent, children] = await Promise.all([
    runtime.store.listEvents(runId, 0, MAX_EVENTS),
    parentOf(runtime, run),
    runtime.store.listRuns({ parentRunId: runId, limit: MAX_CHILDREN }),
  ]);
  const workflow = runtime.workflows.find(run.workflow, run.version);
  const graph =
    workflow === undefined
      ? null
      : workflowGraph(
          workflow,
          takenPath(workflow.nodes, workflow.start, details.decisions, run.status === "succeeded"),
        );
  return { ...details, events, parent, children: children.map(summarizeRun), graph };
}
