import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { RUN_STATUS_VALUES, runResultSchema, summarizeRun } from "../analytics/run-result.ts";
import { toolInputSchema } from "../runtime/tool-input-schema.ts";
import { DECISIONS } from "./approval-elicitation.ts";
import { CORRECTION_TOOL_NAME, registerCorrectDecision } from "./correction-tool.ts";
import { clientLabel, type McpContext, type RequestExtra } from "./mcp-context.ts";
import { createRunNotifier, type RunNotifier } from "./run-notifier.ts";
import { runToolResult, toolError } from "./tool-result.ts";

/** The names of the run tools; no workflow may take one of them. */
export const RUN_TOOL_NAMES = [
  "list_runs",
  "get_run",
  "approve_run",
  "cancel_run",
  "dry_run",
  CORRECTION_TOOL_NAME,
];

const RunId = z.string().min(1).describe("The run id a workflow tool or list_runs returned");

const RunSummary = z.object({
  runId: z.string(),
  workflow: z.string(),
  status: z.enum(RUN_STATUS_VALUES),
  dryRun: z.boolean(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});

/** Runs `work`, turning any failure into a tool error and flushing notifications first. */
async function guarded(
  notifier: RunNotifier | undefined,
  work: () => Promise<CallToolResult>,
): Promise<CallToolResult> {
  try {
    return await work();
  } catch (error) {
    return toolError(error);
  } finally {
    await notifier?.flush();
  }
}

async function showRun(context: McpContext, runId: string, failedRunIsError = false) {
  return runToolResult(summarizeRun(await context.runtime.get(runId)), failedRunIsError);
}

function registerListRuns(context: McpContext): void {
  context.server.registerTool(
    "list_runs",
    {
      title: "List runs",
      description:
        "List signalbox workflow runs, newest first, optionally only those with a status (e.g. waiting for approval) or of one workflow.",
      inputSchema: z.object({
        status: z.enum(RUN_STATUS_VALUES).optional(),
        workflow: z.string().min(1).optional(),
        limit: z.number().int().min(1).max(200).default(20),
      }),
      outputSchema: z.object({ runs: z.array(RunSummary) }),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args) =>
      guarded(undefined, async () => {
        const runs = (await context.runtime.list(args)).map((run) => ({
          runId: run.id,
          workflow: run.workflow,
          status: run.status,
          dryRun: run.dryRun,
          createdAt: run.createdAt,
          finishedAt: run.finishedAt,
        }));
        const text =
          runs.length === 0
            ? "no runs"
            : runs
                .map((run) => `${run.runId}  ${run.status}  ${run.workflow}  ${run.createdAt}`)
                .join("\n");
        return { content: [{ type: "text", text }], structuredContent: { runs } };
      }),
  );
}

function registerGetRun(context: McpContext): void {
  context.server.registerTool(
    "get_run",
    {
      title: "Get a run",
      description:
        "Show one run: its status, output, the decision path (node → choice: reason), its effects, and the pending approval if it waits for one.",
      inputSchema: z.object({ runId: RunId }),
      outputSchema: runResultSchema(),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ runId }) => guarded(undefined, () => showRun(context, runId)),
  );
}

function registerApproveRun(context: McpContext): void {
  const irreversible = context.runtime.workflows
    .list()
    .some((workflow) => workflow.effects.irreversible);
  context.server.registerTool(
    "approve_run",
    {
      title: "Decide a pending approval",
      description:
        'Decide the pending approval of a run with status "waiting" and continue it: "approve" lets it proceed, "reject" or "request_changes" hand it off. Returns the run as it stands afterwards.',
      inputSchema: z.object({
        runId: RunId,
        decision: z.enum(["approve", "reject", "request_changes"]).default("approve"),
        comment: z.string().max(2000).optional().describe("Why; kept in the decision log"),
        by: z
          .string()
          .min(1)
          .max(200)
          .optional()
          .describe("Who decides (default: this MCP client)"),
      }),
      outputSchema: runResultSchema(),
      annotations: {
        readOnlyHint: false,
        destructiveHint: irreversible,
        idempotentHint: false,
        openWorldHint: true,
      },
    },
    (args, extra: RequestExtra) => {
      const notifier = createRunNotifier(context, extra);
      return guarded(notifier, async () => {
        await context.runtime.approve(args.runId, {
          decision: DECISIONS[args.decision],
          by: args.by ?? clientLabel(context),
          comment: args.comment,
          onEvent: notifier.onEvent,
        });
        return showRun(context, args.runId, true);
      });
    },
  );
}

function registerCancelRun(context: McpContext): void {
  context.server.registerTool(
    "cancel_run",
    {
      title: "Cancel a run",
      description: "Cancel a run that has not finished (running or waiting for approval).",
      inputSchema: z.object({
        runId: RunId,
        reason: z.string().max(2000).optional().describe("Why; kept with the run"),
      }),
      outputSchema: runResultSchema(),
      annotations: {
        readOnlyHint: false,
        destructiveHint: true,
        idempotentHint: false,
        openWorldHint: false,
      },
    },
    ({ runId, reason }) =>
      guarded(undefined, async () => {
        await context.runtime.cancel(runId, reason ?? `cancelled by ${clientLabel(context)}`);
        return showRun(context, runId);
      }),
  );
}

function registerDryRun(context: McpContext): void {
  const names = context.runtime.workflows.names();
  const workflow = names.length > 0 ? z.enum(names as [string, ...string[]]) : z.string();
  context.server.registerTool(
    "dry_run",
    {
      title: "Dry-run a workflow",
      description:
        "Run a workflow without performing any write effect: returns the decision path, the effects it would perform (the plan) and the output it would give. Use it to preview what a workflow tool would do.",
      inputSchema: z.object({
        workflow: workflow.describe("The workflow (tool) name"),
        input: z
          .record(z.string(), z.unknown())
          .describe("The workflow's input, as its tool takes it"),
      }),
      outputSchema: runResultSchema(),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args, extra: RequestExtra) => {
      const notifier = createRunNotifier(context, extra);
      return guarded(notifier, async () => {
        const workflow = context.runtime.workflow(args.workflow);
        const input = toolInputSchema(workflow).unwrap(args.input);
        const run = await context.runtime.start(workflow.name, input, {
          dryRun: true,
          trigger: "mcp",
          onEvent: notifier.onEvent,
        });
        return showRun(context, run.id, true);
      });
    },
  );
}

/** Registers the tools that list, show, approve, cancel and dry-run runs. */
export function registerRunTools(context: McpContext): void {
  registerListRuns(context);
  registerGetRun(context);
  registerApproveRun(context);
  registerCancelRun(context);
  registerDryRun(context);
  registerCorrectDecision(context);
}
