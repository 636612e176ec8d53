/** What a person decides on a pending approval. */
export type ApprovalVerdict = "approved" | "rejected" | "changes_requested";

/** Someone deciding a waiting run's approval, from any adapter (CLI, MCP, HTTP, chat). */
export interface ApproverAttempt {
  readonly runId: string;
  readonly workflow: string;
  /** The approval node, e.g. `approve_refund`. */
  readonly node: string;
  readonly decision: ApprovalVerdict;
  /** Who decides, as the adapter named them (`--by`, the MCP client, the chat user). */
  readonly by: string;
  /** Who asked for the run, as recorded when it started; null when nobody was named. */
  readonly requestedBy: string | null;
}

/** Whether an attempt may go ahead: `true`, or the reason it may not (shown to the person). */
export type ApproverRule = (attempt: ApproverAttempt) => true | string;

/**
 * The default rule of every approval node: anyone may reject or ask for changes;
 * approving needs someone other than the run's requester. An approval exists because
 * something is above what may happen unchecked, so a second person checks it
 * (issue 11: anyone could approve their own refund).
 */
export const requesterMayNotApprove: ApproverRule = (attempt) => {
  if (attempt.decision !== "approved") return true;
  if (attempt.requestedBy !== null && attempt.by === attempt.requestedBy)
    return `${attempt.by} asked for run ${attempt.runId} and may not approve it too; someone else must (${attempt.node})`;
  return true;
};

/** A rule for nodes where self-approval is fine (a person confirming their own action). */
export const anyoneMayApprove: ApproverRule = () => true;
