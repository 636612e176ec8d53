import { Command } from "@langchain/langgraph";
import type { ApprovalInterrupt } from "../graph/approval-node.ts";
import type { WorkflowGraph } from "../graph/build-graph.ts";
import type { RunRecord, RunStore } from "../store/types.ts";

/** How a claimed run's graph is invoked. */
export type GraphStart =
  | { readonly kind: "invoke"; readonly input: unknown; readonly isNew: boolean }
  /** Paused on approvals nobody has decided yet: it goes back to waiting. */
  | { readonly kind: "still-waiting" };

function isApprovalInterrupt(value: unknown): value is ApprovalInterrupt {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { type?: unknown }).type === "approval" &&
    typeof (value as { approvalId?: unknown }).approvalId === "string"
  );
}

/**
 * Works out, from what is durable, how to continue a run: from its input when no
 * checkpoint exists; with the stored decisions when it is paused on approvals that
 * were decided (the decision is in the approvals table, written in the same
 * transaction that queued the run, so a crash between deciding and resuming loses
 * nothing); otherwise from the last checkpoint.
 */
export async function graphInputFor(options: {
  readonly run: RunRecord;
  readonly graph: WorkflowGraph;
  readonly store: RunStore;
}): Promise<GraphStart> {
  const { run, graph, store } = options;
  // The first claim of a run: no driver can have written a checkpoint before it.
  if (run.epoch === 1) return { kind: "invoke", input: { input: run.input }, isNew: true };
  const state = await graph.getState({ configurable: { thread_id: run.id } });
  // A driver died before LangGraph saved the first checkpoint: start over from the input.
  if (state.createdAt === undefined)
    return { kind: "invoke", input: { input: run.input }, isNew: true };
  const pending = state.tasks.flatMap((task) => task.interrupts);
  if (pending.length === 0) return { kind: "invoke", input: null, isNew: false };
  const resumes: Record<string, unknown> = {};
  let single: unknown;
  for (const interrupt of pending) {
    if (!isApprovalInterrupt(interrupt.value)) continue;
    const approval = await store.getApproval(interrupt.value.approvalId);
    if (approval === undefined || approval.status === "pending") continue;
    single = {
      status: approval.status,
      by: approval.decidedBy ?? "unknown",
      at: approval.decidedAt ?? new Date().toISOString(),
      comment: approval.comment,
    };
    if (interrupt.id !== undefined) resumes[interrupt.id] = single;
  }
  if (single === undefined) return { kind: "still-waiting" };
  const resume = pending.length === 1 ? single : resumes;
  return { kind: "invoke", input: new Command({ resume }), isNew: false };
}
