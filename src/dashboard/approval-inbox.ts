import { ErrorCode, SignalboxError } from "../errors.ts";
import type { ApprovalDecision, Runtime } from "../runtime/runtime.ts";
import type { ApprovalRecord, ApprovalStatus, RunRecord } from "../store/types.ts";
import { type RunSummary, summarizeRun } from "./run-page.ts";

/** An approval with the run it belongs to. */
export interface InboxEntry {
  readonly approval: ApprovalRecord;
  readonly run: RunSummary | null;
}

/** Approvals with `status` (default pending), oldest request first, each with its run. */
export async function listApprovalInbox(
  runtime: Runtime,
  status: ApprovalStatus = "pending",
): Promise<InboxEntry[]> {
  const approvals = await runtime.store.listApprovals({ status });
  const runs = await Promise.all(approvals.map((approval) => runtime.store.getRun(approval.runId)));
  return approvals
    .map((approval, index) => {
      const run = runs[index];
      return { approval, run: run === undefined ? null : summarizeRun(run) };
    })
    .sort((a, b) => a.approval.requestedAt.localeCompare(b.approval.requestedAt));
}

/** A decision taken in the dashboard, by a known identity. */
export interface InboxDecision {
  readonly decision: ApprovalDecision;
  readonly by: string;
  readonly comment?: string;
}

/**
 * Decides one approval through {@link Runtime.approve} (atomic decide + queue, audit
 * trail under `by`) and returns the run as it is once it continues, without waiting
 * for it to finish.
 * @throws SignalboxError RUN_NOT_FOUND for an unknown approval; INVALID_TRANSITION when
 * it is no longer pending
 */
export async function decideInboxApproval(
  runtime: Runtime,
  approvalId: string,
  decision: InboxDecision,
): Promise<{ approval: ApprovalRecord; run: RunRecord }> {
  const approval = await runtime.store.getApproval(approvalId);
  if (approval === undefined)
    throw new SignalboxError(ErrorCode.RunNotFound, `no approval with id "${approvalId}"`, {
      data: { approvalId },
    });
  if (approval.status !== "pending")
    throw new SignalboxError(
      ErrorCode.InvalidTransition,
      `approval ${approvalId} is already ${approval.status}${approval.decidedBy ? ` by ${approval.decidedBy}` : ""}`,
      { data: { approvalId, status: approval.status } },
    );
  const run = await runtime.approve(approval.runId, { ...decision, wait: false });
  const decided = (await runtime.store.getApproval(approvalId)) ?? approval;
  return { approval: decided, run };
}
