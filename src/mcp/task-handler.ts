import type {
  CreateTaskRequestHandlerExtra,
  CreateTaskResult,
  ToolTaskHandler,
} from "@modelcontextprotocol/sdk/experimental/tasks";
import type { AnySchema } from "@modelcontextprotocol/sdk/server/zod-compat.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { CompiledWorkflow } from "../graph/workflow.ts";
import type { McpContext, RequestExtra } from "./mcp-context.ts";
import { isAnsweredInline } from "./run-task-store.ts";

/** What {@link workflowTaskHandler} needs to run one workflow both ways. */
export interface WorkflowTaskOptions {
  readonly context: McpContext;
  readonly workflow: CompiledWorkflow;
  /** The workflow's input from the tool's (validated) arguments. */
  readonly unwrap: (args: unknown) => unknown;
  /** Runs the workflow the way a plain tools/call always has, under the given run id. */
  readonly runInline: (
    input: unknown,
    extra: RequestExtra,
    runId: string,
  ) => Promise<CallToolResult>;
}

function firstText(result: CallToolResult): string {
  const [first] = result.content;
  return first?.type === "text" ? first.text : "tool call failed";
}

async function createWorkflowTask(
  options: WorkflowTaskOptions,
  input: unknown,
  extra: CreateTaskRequestHandlerExtra,
): Promise<CreateTaskResult> {
  const reserved = await extra.taskStore.createTask({ ttl: extra.taskRequestedTtl ?? null });
  if (isAnsweredInline(reserved)) {
    const result = await options.runInline(input, extra, reserved.taskId);
    // No run to read the result back from: the SDK turns the error into the same tool error.
    if (result.structuredContent === undefined) throw new Error(firstText(result));
    // The SDK asks for the result at once: it gets this one, not a second read of the run.
    options.context.tasks.keepInlineResult(reserved.taskId, result);
    return { task: reserved };
  }
  const run = await options.context.runtime.start(options.workflow.name, input, {
    wait: false,
    runId: reserved.taskId,
    trigger: "mcp",
  });
  return { task: await extra.taskStore.getTask(run.id) };
}

/**
 * The task side of a workflow tool (task support "optional"). A task-augmented
 * tools/call starts the run in the background and returns its task at once (the task
 * id is the run id); the client polls tasks/get, decides approvals with approve_run,
 * and reads tasks/result. A plain tools/call, which the SDK also routes through
 * createTask, runs inline exactly as before and is answered with its result.
 */
export function workflowTaskHandler(options: WorkflowTaskOptions): ToolTaskHandler<AnySchema> {
  return {
    createTask: (args, extra) => createWorkflowTask(options, options.unwrap(args), extra),
    getTask: (_args, extra) => extra.taskStore.getTask(extra.taskId),
    getTaskResult: async (_args, extra) =>
      (await extra.taskStore.getTaskResult(extra.taskId)) as CallToolResult,
  };
}
