import { interrupt } from "@langchain/langgraph";
import { z } from "zod";
import { ErrorCode } from "../errors.ts";
import { parseWith } from "../validation.ts";
import { beginNodeCall, type NodeCall, type NodeConfig, runNode } from "./node-call.ts";
import { graphTarget } from "./route-node.ts";
import type { ApprovalRequest } from "./run-context.ts";
import {
  type ApprovalOptions,
  type ApprovalOutcome,
  type ApprovalStatusValue,
  END_NODE,
} from "./types.ts";

type AnyState = Record<string, unknown>;

/** What a resume of an approval must carry (validated: it crosses a process boundary). */
export const ApprovalResume = z.object({
  status: z.enum(["approved", "rejected", "changes_requested", "expired"]),
  by: z.string().min(1),
  at: z.string(),
  comment: z.string().nullable(),
});

/** The payload of the interrupt an approval raises. */
export interface ApprovalInterrupt {
  readonly type: "approval";
  readonly approvalId: string;
  readonly node: string;
  readonly message: string;
  readonly details: unknown;
  readonly deadline: string | null;
}

/**
 * Records an approval request and pauses the run on it (LangGraph `interrupt`);
 * on resume, returns the validated decision. Side effects belong after this call.
 */
export async function awaitApproval(
  call: NodeCall,
  request: ApprovalRequest,
): Promise<z.infer<typeof ApprovalResume>> {
  await call.context.requestApproval(request);
  const payload: ApprovalInterrupt = { type: "approval", approvalId: request.id, ...request };
  return parseWith(
    ApprovalResume,
    interrupt(payload),
    ErrorCode.InputInvalid,
    "approval resume value",
  );
}

/** Where each approval outcome leads. */
export function approvalTargets(
  options: ApprovalOptions<AnyState>,
): Record<ApprovalStatusValue, string> {
  return {
    approved: options.on?.approved ?? options.next ?? END_NODE,
    rejected: options.on?.rejected ?? END_NODE,
    changes_requested: options.on?.changes_requested ?? END_NODE,
    expired: options.on?.expired ?? options.on?.rejected ?? END_NODE,
  };
}

/**
 * Builds the node for an approval: a first-class paused state (LangGraph
 * `interrupt`) that any process can resume, days later, with who, when and why.
 * Everything with effects happens after `interrupt()`, since the node re-runs from
 * its first line on resume.
 */
export function createApprovalNode(name: string, options: ApprovalOptions<AnyState>) {
  const targets = approvalTargets(options);
  const options_ = [
    { name: "approved" },
    { name: "rejected" },
    { name: "changes_requested" },
    { name: "expired" },
  ];
  return async (state: AnyState, config?: NodeConfig) => {
    const call = beginNodeCall(config, name);
    return runNode(call, async () => {
      if (options.when !== undefined && !options.when(state)) {
        call.decide({
          node: call.node,
          kind: "approval",
          options: options_,
          choice: "not_required",
          reason:
            options.skipReason?.(state) ?? "the approval condition does not apply to this run",
          confidence: 1,
          decidedBy: "rule",
        });
        const outcome: ApprovalOutcome = {
          status: "not_required",
          by: "rule",
          at: new Date().toISOString(),
          comment: null,
        };
        return { update: { approvals: { [name]: outcome } }, goto: graphTarget(targets.approved) };
      }
      const approvalId = `${call.context.runId}:${call.node}:${call.step}`;
      const request = {
        id: approvalId,
        node: call.node,
        message: options.message(state),
        details: options.details?.(state) ?? null,
        deadline:
          options.deadlineMs === undefined
            ? null
            : new Date(Date.now() + options.deadlineMs).toISOString(),
      };
      const resume = await awaitApproval(call, request);
      call.decide({
        node: call.node,
        kind: "approval",
        options: options_,
        choice: resume.status,
        reason:
          resume.comment ??
          (resume.status === "expired"
            ? "the deadline passed without a decision"
            : `${resume.status} by ${resume.by}`),
        confidence: null,
        decidedBy: resume.status === "expired" ? "default" : "human",
      });
      return {
        update: { approvals: { [name]: resume } },
        goto: graphTarget(targets[resume.status]),
      };
    });
  };
}
