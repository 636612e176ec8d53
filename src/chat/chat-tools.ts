import type { ToolDefinition as ModelToolDefinition } from "@langchain/core/language_models/base";
import { z } from "zod";
import { type RunResult, renderRunResult, summarizeRun } from "../analytics/run-result.ts";
import { errorMessage } from "../errors.ts";
import type { RunEvent } from "../graph/events.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { toolInputSchema } from "../runtime/tool-input-schema.ts";
import { objectJsonSchema, toModelTool, withRationale } from "../tools/tool-schema.ts";
import { approvalIntent } from "./approval-intent.ts";
import { ANONYMOUS_USER, type ChatApprovalPolicy, requesterOf } from "./approval-policy.ts";

/** The run tools the chat offers besides one tool per workflow. */
export const GET_RUN_TOOL = "get_run";
export const LIST_RUNS_TOOL = "list_runs";
export const APPROVE_RUN_TOOL = "approve_run";

const GetRunArgs = z.object({ runId: z.string().min(1).describe("The run's id") });
const ListRunsArgs = z.object({
  limit: z.number().int().min(1).max(50).optional().describe("How many, newest first"),
});
const ApproveRunArgs = z.object({
  runId: z.string().min(1).describe("The waiting run's id"),
  decision: z.enum(["approve", "reject"]).describe("What the person said"),
  comment: z.string().optional(),
});

/** What a tool call gave: text for the model, and the run it touched, if any. */
export interface ChatToolOutcome {
  readonly text: string;
  readonly isError: boolean;
  readonly run: RunResult | null;
}

/** What executing a tool needs from the turn. */
export interface ChatToolScope {
  readonly runtime: Runtime;
  /** The turn's pseudo-run: workflow runs started in the turn are its children. */
  readonly turnRunId: string;
  readonly trigger: string;
  /** The person's latest message, which alone may approve or reject a run. */
  readonly lastUserMessage: string;
  /** Who wrote it: recorded as who decided an approval, checked by `approvalPolicy`. */
  readonly user: string;
  readonly approvalPolicy: ChatApprovalPolicy;
  /** The workflow name of chat turns (whose `user` is a run's requester). */
  readonly chatWorkflow: string;
  readonly onRunEvent: (event: RunEvent) => void;
}

function parameters(schema: z.ZodType): Record<string, unknown> {
  return withRationale(objectJsonSchema(schema) ?? { type: "object", properties: {} });
}

/** The tools the chat model sees: every registered workflow (its own input schema) and the run tools. */
export function chatToolDefinitions(runtime: Runtime): ModelToolDefinition[] {
  const workflows = runtime.workflows.list().map((workflow) => {
    const description = `${workflow.description}\n\nRuns the "${workflow.name}" workflow and returns its status, output and decision path. If it pauses for approval, ask the person and call ${APPROVE_RUN_TOOL} with their answer.`;
    return toModelTool(workflow.name, description, parameters(toolInputSchema(workflow).schema));
  });
  return [
    ...workflows,
    toModelTool(
      GET_RUN_TOOL,
      "Shows a run: status, output and decision path.",
      parameters(GetRunArgs),
    ),
    toModelTool(LIST_RUNS_TOOL, "Lists recent runs, newest first.", parameters(ListRunsArgs)),
    toModelTool(
      APPROVE_RUN_TOOL,
      "Approves or rejects a run waiting for approval. Only when the person's latest message says so explicitly (yes/approve or no/reject); otherwise ask them.",
      parameters(ApproveRunArgs),
    ),
  ];
}

async function runResult(scope: ChatToolScope, runId: string): Promise<ChatToolOutcome> {
  const run = summarizeRun(await scope.runtime.get(runId));
  return { text: renderRunResult(run), isError: false, run };
}

async function startWorkflow(scope: ChatToolScope, name: string, args: Record<string, unknown>) {
  const workflow = scope.runtime.workflows.get(name);
  const run = await scope.runtime.start(workflow.name, toolInputSchema(workflow).unwrap(args), {
    trigger: scope.trigger,
    parentRunId: scope.turnRunId,
    // The same name approvals record as decided_by, so the runtime's rule can match them.
    requestedBy: scope.user === ANONYMOUS_USER ? undefined : chatDecider(scope),
    onEvent: scope.onRunEvent,
  });
  return runResult(scope, run.id);
}

/** Who decided, as approvals record it: the channel and the user, e.g. `http-chat:lead`. */
export function chatDecider(scope: Pick<ChatToolScope, "trigger" | "user">): string {
  return `${scope.trigger}:${scope.user}`;
}

async function approveRun(scope: ChatToolScope, args: Record<string, unknown>) {
  const parsed = ApproveRunArgs.parse(args);
  const verb = parsed.decision === "approve" ? "approved" : "rejected";
  const said = approvalIntent(scope.lastUserMessage);
  if (said !== parsed.decision)
    return failure(
      `not ${verb}: the person's latest message ("${scope.lastUserMessage.slice(0, 80)}") does not say "${parsed.decision}". Ask them to answer yes/approve or no/reject.`,
    );
  const { run, approvals } = await scope.runtime.get(parsed.runId);
  const pending = approvals.find((approval) => approval.status === "pending");
  const allowed = scope.approvalPolicy({
    runId: run.id,
    workflow: run.workflow,
    node: pending?.node ?? "",
    decision: parsed.decision,
    by: scope.user,
    requestedBy: await requesterOf(scope.runtime, run.parentRunId, scope.chatWorkflow),
  });
  if (allowed !== true)
    return failure(
      `not ${verb}: ${allowed}. The run stays waiting; another person can approve it in the chat or with \`signalbox approve ${run.id} --by <name>\`.`,
    );
  await scope.runtime.approve(parsed.runId, {
    decision: verb,
    by: chatDecider(scope),
    comment: parsed.comment ?? `${scope.user} said "${scope.lastUserMessage.trim()}"`,
    onEvent: scope.onRunEvent,
  });
  return runResult(scope, parsed.runId);
}

async function listRuns(scope: ChatToolScope, args: Record<string, unknown>) {
  const { limit } = ListRunsArgs.parse(args);
  const runs = await scope.runtime.list({ limit: limit ?? 10 });
  const lines = runs
    .filter((run) => run.workflow !== "chat")
    .map((run) => `${run.id} ${run.workflow} ${run.status} ${run.createdAt}`);
  return { text: lines.join("\n") || "no runs yet", isError: false, run: null };
}

function failure(text: string): ChatToolOutcome {
  return { text, isError: true, run: null };
}

/** Runs one tool call of the chat model; failures come back as error results the model can read. */
export async function executeChatTool(
  scope: ChatToolScope,
  name: string,
  args: Record<string, unknown>,
): Promise<ChatToolOutcome> {
  try {
    if (name === GET_RUN_TOOL) return await runResult(scope, GetRunArgs.parse(args).runId);
    if (name === LIST_RUNS_TOOL) return await listRuns(scope, args);
    if (name === APPROVE_RUN_TOOL) return await approveRun(scope, args);
    if (scope.runtime.workflows.names().includes(name))
      return await startWorkflow(scope, name, args);
    return failure(
      `unknown tool "${name}"; available: ${[...scope.runtime.workflows.names(), GET_RUN_TOOL, LIST_RUNS_TOOL, APPROVE_RUN_TOOL].join(", ")}`,
    );
  } catch (error) {
    return failure(errorMessage(error));
  }
}
