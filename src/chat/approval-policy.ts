import type { Runtime } from "../runtime/runtime.ts";

/** Who a chat message is from when the adapter could not say. Never approves. */
export const ANONYMOUS_USER = "anonymous";

/** Someone in a chat deciding a waiting run's approval. */
export interface ApprovalAttempt {
  readonly runId: string;
  readonly workflow: string;
  /** The approval node, e.g. `approve_refund`. */
  readonly node: string;
  readonly decision: "approve" | "reject";
  /** Who said it (the chat user of this turn). */
  readonly by: string;
  /** Who asked for the run in a chat (the user of the turn that started it); null when no chat did. */
  readonly requestedBy: string | null;
}

/** Whether an attempt may go ahead: `true`, or the reason it may not. */
export type ChatApprovalPolicy = (attempt: ApprovalAttempt) => true | string;

/**
 * The default: anyone known may reject; approving needs a known user who is not
 * the one who asked for the run. An approval exists because an amount is above
 * what may happen unchecked, so a second person checks it (issue #11: anyone
 * chatting could approve their own refund).
 */
export const requesterMayNotApprove: ChatApprovalPolicy = (attempt) => {
  if (attempt.decision === "reject") return true;
  if (attempt.by === ANONYMOUS_USER)
    return "the chat does not know who you are, and approvals need a named person";
  if (attempt.by === attempt.requestedBy)
    return `${attempt.by} asked for run ${attempt.runId} and may not approve it too; someone else must`;
  return true;
};

/** The chat user who started a run: the `user` recorded on its parent chat turn. */
export async function requesterOf(
  runtime: Runtime,
  parentRunId: string | null,
  chatWorkflow: string,
): Promise<string | null> {
  if (parentRunId === null) return null;
  const parent = await runtime.store.getRun(parentRunId);
  if (parent?.workflow !== chatWorkflow) return null;
  const user = (parent.input as { user?: unknown } | null)?.user;
  // Turns recorded before users were ("chat" by anyone) count as anonymous.
  return typeof user === "string" ? user : ANONYMOUS_USER;
}
