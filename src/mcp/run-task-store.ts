import { randomUUID } from "node:crypto";
import type { CreateTaskOptions, TaskStore } from "@modelcontextprotocol/sdk/experimental/tasks";
import {
  type CallToolResult,
  McpError,
  ErrorCode as McpErrorCode,
  type Request,
  type RequestId,
  type Result,
  type Task,
} from "@modelcontextprotocol/sdk/types.js";
import { summarizeRun } from "../analytics/run-result.ts";
import { ErrorCode, isSignalboxError } from "../errors.ts";
import type { RunDetails, Runtime } from "../runtime/runtime.ts";
import type { RunStatus } from "../store/types.ts";
import { runToolResult } from "./tool-result.ts";

/** How a run's status reads as an MCP task status. */
export const TASK_STATUS = {
  queued: "working",
  running: "working",
  waiting: "input_required",
  succeeded: "completed",
  failed: "failed",
  compensated: "failed",
  cancelled: "cancelled",
} as const satisfies Record<RunStatus, Task["status"]>;

/** Tasks per tasks/list page. */
const PAGE_SIZE = 50;

/** Options for {@link RunTaskStore}. */
export interface RunTaskStoreOptions {
  /** How often clients should poll tasks/get (ms). Default 1000. */
  readonly pollIntervalMs?: number;
  /** Who a tasks/cancel is attributed to, e.g. `mcp:claude-code`. */
  readonly cancelledBy?: () => string;
}

function statusMessage(details: RunDetails): string {
  const { run } = details;
  const summary = summarizeRun(details);
  const what = `run ${run.id} of ${run.workflow}`;
  switch (run.status) {
    case "waiting": {
      const pending = summary.approval
        ? `waits for a human approval at ${summary.approval.node}: ${summary.approval.message}`
        : "waits for a human approval";
      return `The ${what} ${pending}. ${summary.next ?? ""}`.trim();
    }
    case "queued":
    case "running":
      return `The ${what} is ${run.status}.`;
    case "succeeded":
      return `The ${what} succeeded.`;
    default:
      return `The ${what} is ${run.status}${run.error ? `: ${run.error}` : "."}`;
  }
}

/** A run as an MCP task: the task id is the run id; runs are kept, so the ttl is unlimited. */
export function taskOfRun(details: RunDetails, pollInterval: number): Task {
  const { run } = details;
  return {
    taskId: run.id,
    status: TASK_STATUS[run.status],
    ttl: null,
    createdAt: run.createdAt,
    lastUpdatedAt: run.updatedAt,
    pollInterval,
    statusMessage: statusMessage(details),
  };
}

/**
 * True for the task {@link RunTaskStore.createTask} hands out for a plain tools/call:
 * such a call is answered inline, so its task is born terminal.
 */
export function isAnsweredInline(task: Task): boolean {
  return task.status === "completed";
}

function pageOffset(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const offset = Number(cursor);
  if (!Number.isSafeInteger(offset) || offset < 0)
    throw new McpError(McpErrorCode.InvalidParams, `invalid cursor "${cursor}"`);
  return offset;
}

/**
 * The SDK's task store over signalbox's durable runs: a task IS a run (the task id is
 * the run id), and every read goes to the run store, so tasks survive a restart and
 * any session (or process) over the same data directory sees the same tasks, like
 * list_runs does. Holds no timers, and no state but a plain call's result on its way
 * from the tool to the SDK (see {@link RunTaskStore.keepInlineResult}).
 */
export class RunTaskStore implements TaskStore {
  private readonly pollInterval: number;
  /** Results of plain calls answered inline, until the SDK reads each back (once, at once). */
  private readonly inlineResults = new Map<string, CallToolResult>();

  constructor(
    private readonly runtime: Runtime,
    private readonly options: RunTaskStoreOptions = {},
  ) {
    this.pollInterval = options.pollIntervalMs ?? 1000;
  }

  /**
   * Reserves a task id: the workflow tool then starts its run under it. The SDK calls a
   * task-capable tool's createTask for plain tools/call requests too, then polls until
   * the task is terminal; the tool answers those inline (progress, approval forms,
   * "waiting" results as before), so their task is returned already `completed` and
   * the SDK fetches the result at once.
   */
  async createTask(
    _params: CreateTaskOptions,
    _requestId: RequestId,
    request: Request,
  ): Promise<Task> {
    const now = new Date().toISOString();
    return {
      taskId: randomUUID(),
      status: request.params?.task ? "working" : "completed",
      ttl: null,
      createdAt: now,
      lastUpdatedAt: now,
      pollInterval: this.pollInterval,
    };
  }

  /** The run as a task; null when there is no such run. */
  async getTask(taskId: string): Promise<Task | null> {
    const details = await this.details(taskId);
    return details === undefined ? null : taskOfRun(details, this.pollInterval);
  }

  /**
   * Keeps the result of a plain call answered inline under its task id. The SDK reads a
   * plain call's result with {@link getTaskResult} right after createTask returns its
   * (completed) task, in the same request: that read takes this result instead of
   * reading the run and rendering it a second time (issue 12).
   */
  keepInlineResult(taskId: string, result: CallToolResult): void {
    this.inlineResults.set(taskId, result);
  }

  /** The same CallToolResult a plain call of the workflow tool gives for the run. */
  async getTaskResult(taskId: string): Promise<Result> {
    const inline = this.inlineResults.get(taskId);
    if (inline !== undefined) {
      this.inlineResults.delete(taskId);
      return inline;
    }
    const details = await this.details(taskId);
    if (details === undefined)
      throw new McpError(McpErrorCode.InvalidParams, `Task not found: ${taskId}`);
    return runToolResult(summarizeRun(details), true);
  }

  /** A task's result is its run's outcome; nothing else can store one. */
  async storeTaskResult(taskId: string): Promise<void> {
    throw new McpError(
      McpErrorCode.InvalidRequest,
      `task ${taskId} is a signalbox run: its result is the run's own outcome`,
    );
  }

  /**
   * Only cancellation changes a task from outside: it cancels the run. Every other
   * status follows the run (the SDK may report input_required while a request of the
   * task is pending; the run's own status stays the truth).
   * @throws SignalboxError INVALID_TRANSITION when the run finished meanwhile
   */
  async updateTaskStatus(taskId: string, status: Task["status"]): Promise<void> {
    if (status !== "cancelled") return;
    const by = this.options.cancelledBy?.() ?? "an MCP client";
    await this.runtime.cancel(taskId, `cancelled by ${by} (tasks/cancel)`);
  }

  /** Runs as tasks, newest first; the cursor is an offset. */
  async listTasks(cursor?: string): Promise<{ tasks: Task[]; nextCursor?: string }> {
    const offset = pageOffset(cursor);
    const runs = await this.runtime.list({ limit: offset + PAGE_SIZE + 1 });
    const page = runs.slice(offset, offset + PAGE_SIZE);
    const details = await Promise.all(page.map((run) => this.runtime.get(run.id)));
    const tasks = details.map((entry) => taskOfRun(entry, this.pollInterval));
    return runs.length > offset + PAGE_SIZE
      ? { tasks, nextCursor: String(offset + PAGE_SIZE) }
      : { tasks };
  }

  private async details(runId: string): Promise<RunDetails | undefined> {
    try {
      return await this.runtime.get(runId);
    } catch (error) {
      if (isSignalboxError(error, ErrorCode.RunNotFound)) return undefined;
      throw error;
    }
  }
}
