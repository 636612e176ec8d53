import type { Logger } from "pino";
import type { DecisionRecord } from "../graph/decision.ts";
import type { RunEvent } from "../graph/events.ts";
import type { Decider } from "../graph/route-decider.ts";
import type { ApprovalRequest, RunContext } from "../graph/run-context.ts";
import type { ChatProvider } from "../models/chat-provider.ts";
import type { Lease, RunStore } from "../store/types.ts";
import { journalEffect } from "./effect-journal.ts";

export interface RunContextOptions {
  readonly store: RunStore;
  /** The driver's hold on the run: every write below is fenced by it. */
  readonly lease: Lease;
  readonly runId: string;
  readonly workflow: string;
  readonly dryRun: boolean;
  readonly logger: Logger;
  readonly emit: (event: RunEvent) => void;
  /** Told of each decision once stored (observers: metrics, traces). */
  readonly onDecision?: (decision: DecisionRecord) => void;
  readonly nodePrefix?: string;
  readonly llm?: Decider;
  readonly chat?: ChatProvider;
}

async function requestApproval(
  options: RunContextOptions,
  request: ApprovalRequest,
): Promise<void> {
  const requestedAt = new Date().toISOString();
  const stored = await options.store.createApproval(
    {
      ...request,
      runId: options.runId,
      status: "pending",
      requestedAt,
      decidedBy: null,
      decidedAt: null,
      comment: null,
    },
    options.lease,
  );
  // The node re-runs from its first line on resume; only a new request is announced.
  if (stored.requestedAt !== requestedAt || stored.status !== "pending") return;
  options.emit({
    type: "approval-request",
    runId: options.runId,
    approvalId: stored.id,
    node: stored.node,
    message: stored.message,
    deadline: stored.deadline,
  });
}

/** The services one run's nodes use: the store-backed decision log, effect journal and approvals. */
export function createRunContext(options: RunContextOptions): RunContext {
  const logger = options.logger.child({ runId: options.runId, workflow: options.workflow });
  return {
    runId: options.runId,
    workflow: options.workflow,
    dryRun: options.dryRun,
    logger,
    nodePrefix: options.nodePrefix ?? "",
    llm: options.llm,
    chat: options.chat,
    emit: options.emit,
    recordDecisions: async (decisions) => {
      const stored = [];
      for (const decision of decisions) {
        const record = await options.store.recordDecision(decision, options.lease);
        stored.push(record);
        options.onDecision?.(record);
      }
      return stored;
    },
    runEffect: (call) => journalEffect({ ...options, logger }, call),
    requestApproval: (request) => requestApproval(options, request),
    child: (prefix) =>
      createRunContext({ ...options, nodePrefix: `${options.nodePrefix ?? ""}${prefix}` }),
  };
}
