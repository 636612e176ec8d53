import type { CallToolResult, ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { runResultSchema, summarizeRun } from "../analytics/run-result.ts";
import type { CompiledWorkflow } from "../graph/workflow.ts";
import { toolInputSchema } from "../runtime/tool-input-schema.ts";
import { settleByElicitation } from "./approval-elicitation.ts";
import type { McpContext, RequestExtra } from "./mcp-context.ts";
import { createRunNotifier } from "./run-notifier.ts";
import { workflowTaskHandler } from "./task-handler.ts";
import { runToolResult, toolError } from "./tool-result.ts";

/** Checked once per workflow, not once per MCP session (issue 12). */
const representable = new WeakMap<CompiledWorkflow, z.ZodType>();

/** The workflow's output schema if JSON Schema can express it, else `unknown`. */
export function representableOutput(workflow: CompiledWorkflow): z.ZodType {
  let schema = representable.get(workflow);
  if (schema === undefined) {
    try {
      z.toJSONSchema(workflow.outputSchema, { io: "output" });
      schema = workflow.outputSchema;
    } catch {
      schema = z.unknown();
    }
    representable.set(workflow, schema);
  }
  return schema;
}

/** Hints derived from the workflow's effects: read-only without writes, destructive with irreversible ones. */
export function workflowAnnotations(workflow: CompiledWorkflow): ToolAnnotations {
  const { writes, irreversible } = workflow.effects;
  return {
    title: workflow.title,
    readOnlyHint: !writes,
    ...(writes ? { destructiveHint: irreversible, idempotentHint: false } : {}),
    openWorldHint: writes,
  };
}

function toolDescription(workflow: CompiledWorkflow): string {
  const effects = workflow.effects.writes
    ? ` It has write effects${workflow.effects.irreversible ? " (some irreversible)" : ""}; to preview them without performing them, call dry_run with {"workflow": "${workflow.name}", "input": …}.`
    : " It has no write effects.";
  return `${workflow.description}\n\nRuns the "${workflow.name}" workflow and returns the run id, status, output and the decision path (node → choice: reason).${effects} If the run pauses for a human approval, the user is asked inline when the client supports it; otherwise the result has status "waiting" and says how to approve it (approve_run).`;
}

async function runWorkflow(
  context: McpContext,
  workflow: CompiledWorkflow,
  input: unknown,
  extra: RequestExtra,
  runId?: string,
): Promise<CallToolResult> {
  const notifier = createRunNotifier(context, extra);
  try {
    const started = await context.runtime.start(workflow.name, input, {
      trigger: "mcp",
      onEvent: notifier.onEvent,
      runId,
    });
    const settled = await settleByElicitation(context, started, extra, notifier);
    // The run as it stopped is at hand: read only what the result adds to it.
    return runToolResult(summarizeRun(await context.runtime.details(settled)), true);
  } catch (error) {
    return toolError(error);
  } finally {
    await notifier.flush();
  }
}

/**
 * Registers a workflow as a tool: calling it runs the workflow. Task support is
 * optional: a plain call runs it and returns the result (as it always has); a
 * task-augmented call returns a task whose id is the run id (see task-handler.ts).
 */
export function registerWorkflowTool(context: McpContext, workflow: CompiledWorkflow): void {
  const input = toolInputSchema(workflow);
  context.server.experimental.tasks.registerToolTask(
    workflow.name,
    {
      title: workflow.title,
      description: toolDescription(workflow),
      inputSchema: input.schema,
      outputSchema: runResultSchema(representableOutput(workflow)),
      annotations: workflowAnnotations(workflow),
      execution: { taskSupport: "optional" },
    },
    workflowTaskHandler({
      context,
      workflow,
      unwrap: input.unwrap,
      runInline: (args, extra, runId) => runWorkflow(context, workflow, args, extra, runId),
    }),
  );
}
