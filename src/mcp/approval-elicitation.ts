import { z } from "zod";
import { ErrorCode, isSignalboxError } from "../errors.ts";
import type { ApprovalDecision } from "../runtime/runtime.ts";
import type { ApprovalRecord, RunRecord } from "../store/types.ts";
import { clientLabel, type McpContext, type RequestExtra } from "./mcp-context.ts";
import type { RunNotifier } from "./run-notifier.ts";

/** How long a person gets to answer an approval form before the run is left waiting. */
const ELICITATION_TIMEOUT_MS = 10 * 60_000;
/**
 * While a form is open, a progress message this often keeps clients that reset their
 * request timeout on progress (most default to 60 s) from giving up on the call.
 */
const HEARTBEAT_MS = 15_000;
/** A run may pause for approval more than once; ask at most this many times per call. */
const MAX_ROUNDS = 5;

/** The decisions a person can take, as the form and the approve_run tool spell them. */
export const DECISIONS = {
  approve: "approved",
  reject: "rejected",
  request_changes: "changes_requested",
} as const satisfies Record<string, ApprovalDecision>;

const Answer = z.object({
  decision: z.enum(["approve", "reject", "request_changes"]),
  comment: z.string().optional(),
});

const FORM_SCHEMA = {
  type: "object" as const,
  properties: {
    decision: {
      type: "string" as const,
      title: "Decision",
      description: "Approve to continue the run; reject or request changes to hand it off.",
      enum: ["approve", "reject", "request_changes"],
    },
    comment: { type: "string" as const, title: "Comment", description: "Why (optional)" },
  },
  required: ["decision"],
};

/** True when the client declared form elicitation, so we can ask its user inline. */
export function canElicit(context: McpContext): boolean {
  return context.server.server.getClientCapabilities()?.elicitation?.form !== undefined;
}

function formMessage(run: RunRecord, approval: ApprovalRecord): string {
  const details =
    approval.details === null ? "" : `\n\nDetails: ${JSON.stringify(approval.details)}`;
  const deadline = approval.deadline ? `\nDecide before ${approval.deadline}.` : "";
  return `Run ${run.id} of ${run.workflow} needs your approval at ${approval.node}:\n${approval.message}${details}${deadline}`;
}

/** Asks the client's user for the decision; undefined when they declined, cancelled or did not answer. */
async function askOnce(
  context: McpContext,
  run: RunRecord,
  extra: RequestExtra,
  notifier: RunNotifier,
): Promise<z.infer<typeof Answer> | undefined> {
  const { approvals } = await context.runtime.get(run.id);
  const approval = approvals.find((candidate) => candidate.status === "pending");
  if (approval === undefined) return undefined;
  const heartbeat = setInterval(
    () => notifier.report(`${approval.node}: waiting for the user's answer`),
    HEARTBEAT_MS,
  );
  try {
    const result = await context.server.server.elicitInput(
      { mode: "form", message: formMessage(run, approval), requestedSchema: FORM_SCHEMA },
      { relatedRequestId: extra.requestId, timeout: ELICITATION_TIMEOUT_MS, signal: extra.signal },
    );
    if (result.action !== "accept") return undefined;
    const answer = Answer.safeParse(result.content);
    return answer.success ? answer.data : undefined;
  } catch (error) {
    context.logger.warn({ runId: run.id, error: String(error) }, "approval form got no answer");
    return undefined;
  } finally {
    clearInterval(heartbeat);
  }
}

/**
 * While the run waits for approval and the client can show a form, asks its user
 * and continues the run with the answer. Declined, cancelled or unanswered forms
 * leave the run waiting; so does someone else deciding first.
 */
export async function settleByElicitation(
  context: McpContext,
  run: RunRecord,
  extra: RequestExtra,
  notifier: RunNotifier,
): Promise<RunRecord> {
  let current = run;
  for (let round = 0; round < MAX_ROUNDS && current.status === "waiting"; round += 1) {
    if (!canElicit(context)) return current;
    const answer = await askOnce(context, current, extra, notifier);
    if (answer === undefined) return current;
    try {
      current = await context.runtime.approve(current.id, {
        decision: DECISIONS[answer.decision],
        by: clientLabel(context),
        comment: answer.comment || undefined,
        onEvent: notifier.onEvent,
      });
    } catch (error) {
      // Someone else decided first, or the node's rule refuses this client: the run waits.
      if (
        !isSignalboxError(error, ErrorCode.InvalidTransition) &&
        !isSignalboxError(error, ErrorCode.ApprovalForbidden)
      )
        throw error;
      return (await context.runtime.get(current.id)).run;
    }
  }
  return current;
}
