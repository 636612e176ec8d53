import type { Logger } from "pino";
import type { Decider } from "../contracts/decider.ts";
import type { DecisionRecord } from "../contracts/decision.ts";
import type { RunEvent } from "../graph/events.ts";
import type { ApprovalRequest, RunContext } from "../graph/run-context.ts";
import type { ChatProvider } from "../models/chat-provider.ts";
import type { ClassifierCache } from "../models/classifier-cache.ts";
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
  readonly classifierCache?: ClassifierCache;
  /** A run that has made no decision yet (first drive): its log starts empty, unread. */
  readonly newRun?: boolean;
  /** The input stored with the run (for graphs that keep it out of their checkpoints). */
  readonly runInput?: unknown;
}

/**
 * The run's decision log as its nodes see it: read from the store once per drive
 * (unless the run is new), then kept in step with every decision this drive stores.
 * A replayed decision (same key) replaces its earlier copy, as it does in the store.
 */
class DecisionLog {
  private records: DecisionRecord[] | undefined;
  private loading: Promise<DecisionRecord[]> | undefined;
  private readonly index = new Map<string, number>();

  constructor(
    private readonly store: RunStore,
    private readonly runId: string,
    newRun: boolean,
  ) {
    if (newRun) this.records = [];
  }

  async all(): Promise<readonly DecisionRecord[]> {
    if (this.records !== undefined) return this.records;
    // Every decision of the run, however long it is (the default limit is for listings).
    this.loading ??= this.store.listDecisions({ runId: this.runId, limit: 1_000_000_000 });
    const loaded = await this.loading;
    if (this.records === undefined) {
      this.records = [];
      this.add(loaded);
    }
    return this.records;
  }

  add(stored: readonly DecisionRecord[]): void {
    // Decisions stored before the log was read are in what the read returns.
    if (this.records === undefined) return;
    for (const record of stored) {
      const at = this.index.get(record.key);
      if (at !== undefined) this.records[at] = record;
      else this.index.set(record.key, this.records.push(record) - 1);
    }
  }
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
  return contextWithLog(
    options,
    new DecisionLog(options.store, options.runId, options.newRun ?? false),
  );
}

function contextWithLog(options: RunContextOptions, log: DecisionLog): RunContext {
  const prefix = options.nodePrefix ?? "";
  const logger = options.logger.child({ runId: options.runId, workflow: options.workflow });
  return {
    runId: options.runId,
    workflow: options.workflow,
    dryRun: options.dryRun,
    logger,
    nodePrefix: options.nodePrefix ?? "",
    llm: options.llm,
    chat: options.chat,
    classifierCache: options.classifierCache,
    runInput: options.runInput,
    emit: options.emit,
    recordDecisions: async (decisions) => {
      const stored = [];
      for (const decision of decisions) {
        const record = await options.store.recordDecision(decision, options.lease);
        stored.push(record);
        options.onDecision?.(record);
      }
      log.add(stored);
      return stored;
    },
    // A sub-workflow's nodes see their own decisions, as they did in its own graph state.
    decisionLog:
      prefix === ""
        ? () => log.all()
        : async () => (await log.all()).filter((decision) => decision.node.startsWith(prefix)),
    runEffect: (call) => journalEffect({ ...options, logger }, call),
    requestApproval: (request) => requestApproval(options, request),
    // A sub-workflow has an input of its own, in its own (in-memory) graph state.
    child: (childPrefix) =>
      contextWithLog(
        { ...options, nodePrefix: `${prefix}${childPrefix}`, runInput: undefined },
        log,
      ),
  };
}
