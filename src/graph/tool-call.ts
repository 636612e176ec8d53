import { ToolMessage } from "@langchain/core/messages";
import { task } from "@langchain/langgraph";
import type { z } from "zod";
import { isWriteTool, type Tool } from "../tools/define-tool.ts";
import type { ModelTurn, TurnToolCall } from "../tools/model-turn.ts";
import { splitRationale } from "../tools/tool-schema.ts";
import { describeIssues } from "../validation.ts";
import { type ApprovalResume, awaitApproval } from "./approval-node.ts";
import { executeTool, type ToolResult } from "./execute-tool.ts";
import type { NodeCall } from "./node-call.ts";
import type { AgentToolCall, AgentToolOutcome } from "./types.ts";

/** What handling a tool call needs from the agent around it. */
export interface ToolCallScope {
  readonly agent: string;
  readonly call: NodeCall;
  /** The allow-list, by name. */
  readonly tools: ReadonlyMap<string, Tool>;
  readonly turn: ModelTurn;
  readonly decidedBy: "llm" | "classifier";
}

/** Where a call sits: its ordinal among the execution's tool calls, and whether it carries the turn's token usage. */
export interface ToolCallPosition {
  readonly ordinal: number;
  readonly first: boolean;
}

/** A handled call: the transcript entry and the tool message the model gets back. */
export interface HandledToolCall {
  readonly record: AgentToolCall;
  readonly message: ToolMessage;
}

interface Conclusion {
  readonly outcome: AgentToolOutcome;
  readonly args: unknown;
  readonly rationale: string | undefined;
  /** What the model is told. */
  readonly content: string;
  /** What the log says happened. */
  readonly summary: string;
  readonly result?: unknown;
  readonly error?: string;
  readonly latencyMs?: number;
}

const clip = (text: string, length = 240) =>
  text.length > length ? `${text.slice(0, length - 1)}…` : text;
const asText = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));

/** Records the call's decision and builds the tool message for the model. */
function conclude(
  scope: ToolCallScope,
  toolCall: TurnToolCall,
  position: ToolCallPosition,
  conclusion: Conclusion,
): HandledToolCall {
  const { call, turn } = scope;
  const ran = !["refused", "invalid_arguments", "rejected"].includes(conclusion.outcome);
  call.decide({
    node: call.node,
    kind: "tool",
    options: [...scope.tools.keys()].map((name) => ({ name })),
    choice: ran ? toolCall.name : conclusion.outcome,
    reason: `${conclusion.rationale ?? "(the model gave no rationale)"} → ${clip(conclusion.summary)}`,
    confidence: turn.confidence,
    decidedBy: scope.decidedBy,
    modelId: turn.modelId,
    tokensIn: position.first ? turn.tokensIn : null,
    tokensOut: position.first ? turn.tokensOut : null,
    latencyMs: conclusion.latencyMs ?? null,
  });
  const failed = conclusion.error !== undefined;
  const record: AgentToolCall = {
    id: toolCall.id,
    tool: toolCall.name,
    args: conclusion.args,
    rationale: conclusion.rationale ?? null,
    outcome: conclusion.outcome,
    ...(conclusion.result !== undefined ? { result: conclusion.result } : {}),
    ...(failed ? { error: conclusion.error } : {}),
  };
  const message = new ToolMessage({
    content: conclusion.content,
    tool_call_id: toolCall.id,
    name: toolCall.name,
    status: failed ? "error" : "success",
  });
  return { record, message };
}

/** Turns a call down without executing it (refused, invalid arguments, misuse). */
export function declineToolCall(
  scope: ToolCallScope,
  toolCall: TurnToolCall,
  position: ToolCallPosition,
  decline: { readonly outcome: "refused" | "invalid_arguments"; readonly error: string },
): HandledToolCall {
  const { rationale, args } = splitRationale(toolCall.args);
  return conclude(scope, toolCall, position, {
    outcome: decline.outcome,
    args,
    rationale,
    content: `Error: ${decline.error}`,
    summary: `${decline.outcome.replace("_", " ")}: ${decline.error}`,
    error: decline.error,
  });
}

/**
 * Asks a human before an approval-gated call (the run waits durably). The
 * node re-runs from its first line on resume, so this is reached again with
 * the same approval id: the request is stored idempotently, and `interrupt()`
 * then returns the decision instead of pausing.
 */
async function askApproval(
  scope: ToolCallScope,
  tool: Tool,
  input: unknown,
  rationale: string | undefined,
  ordinal: number,
): Promise<z.infer<typeof ApprovalResume>> {
  const { call } = scope;
  const request = {
    id: `${call.context.runId}:${call.node}:${call.step}:tool${ordinal}`,
    node: call.node,
    message: `${call.node} wants to call ${tool.name} (${tool.effect})${rationale ? `: ${rationale}` : ""}`,
    details: { tool: tool.name, effect: tool.effect, args: input, rationale: rationale ?? null },
    deadline: null,
  };
  const resume = await awaitApproval(call, request);
  call.decide({
    node: call.node,
    kind: "approval",
    options: ["approved", "rejected", "changes_requested", "expired"].map((name) => ({ name })),
    choice: resume.status,
    reason: resume.comment ?? `${resume.status} by ${resume.by} (call of ${tool.name})`,
    confidence: null,
    decidedBy: resume.status === "expired" ? "default" : "human",
  });
  return resume;
}

function fromResult(
  result: ToolResult,
  tool: Tool,
  gated: boolean,
): Omit<Conclusion, "args" | "rationale"> {
  const { latencyMs } = result;
  switch (result.status) {
    case "succeeded":
    case "replayed": {
      const text = asText(result.result);
      const replayed = result.status === "replayed";
      const summary = replayed
        ? `already performed in this run: result replayed from the effect journal: ${text}`
        : `succeeded: ${text}`;
      return { outcome: result.status, content: text, summary, result: result.result, latencyMs };
    }
    case "planned":
      return {
        outcome: "planned",
        content: `Planned, not performed: this is a dry run, so ${tool.name} was not called. Carry on as if it had succeeded; do not call it again.`,
        summary: `planned, not performed (dry run)${gated ? "; it would need approval first" : ""}`,
        latencyMs,
      };
    case "failed":
      return {
        outcome: "failed",
        content: `Error: ${result.error}`,
        summary: `failed: ${result.error}`,
        error: result.error,
        latencyMs,
      };
  }
}

/**
 * Handles one tool call of a model turn: refuses tools off the allow-list,
 * validates arguments, waits for approval when the tool needs it, executes it
 * (write tools through the effect journal) and logs a `tool` decision with the
 * model's rationale and the outcome. Failures become error results for the model.
 */
export async function handleToolCall(
  scope: ToolCallScope,
  toolCall: TurnToolCall,
  position: ToolCallPosition,
): Promise<HandledToolCall> {
  const tool = scope.tools.get(toolCall.name);
  if (tool === undefined) {
    const allowed = [...scope.tools.keys()].join(", ") || "none";
    const error = `tool "${toolCall.name}" is not available to this agent and was not called; available tools: ${allowed}`;
    return declineToolCall(scope, toolCall, position, { outcome: "refused", error });
  }
  if (toolCall.malformed !== undefined) {
    const error = `the arguments for ${tool.name} are not valid JSON (${toolCall.malformed})`;
    return declineToolCall(scope, toolCall, position, { outcome: "invalid_arguments", error });
  }
  const { rationale, args } = splitRationale(toolCall.args);
  const parsed = tool.input.safeParse(args);
  if (!parsed.success) {
    const error = `invalid arguments for ${tool.name}: ${describeIssues(parsed.error.issues)}`;
    return declineToolCall(scope, toolCall, position, { outcome: "invalid_arguments", error });
  }
  return approveAndExecute(
    scope,
    { tool, toolCall, input: parsed.data, args, rationale },
    position,
  );
}

interface ValidCall {
  readonly tool: Tool;
  readonly toolCall: TurnToolCall;
  readonly input: unknown;
  readonly args: unknown;
  readonly rationale: string | undefined;
}

async function approveAndExecute(
  scope: ToolCallScope,
  valid: ValidCall,
  position: ToolCallPosition,
): Promise<HandledToolCall> {
  const { tool, toolCall, input, args, rationale } = valid;
  const { call } = scope;
  const gated = tool.needsApproval(input);
  // In a dry run a write call is only planned, so there is nothing to approve yet.
  if (gated && !(call.context.dryRun && isWriteTool(tool))) {
    const approval = await askApproval(scope, tool, input, rationale, position.ordinal);
    if (approval.status !== "approved") {
      const error = `not performed: the call was ${approval.status.replace("_", " ")} by ${approval.by}${approval.comment ? ` (${approval.comment})` : ""}`;
      const summary = `${approval.status.replace("_", " ")} by ${approval.by}, not performed`;
      return conclude(scope, toolCall, position, {
        outcome: "rejected",
        args,
        rationale,
        content: `Error: ${error}`,
        summary,
        error,
      });
    }
  }
  const own = tool.businessKey(input);
  const key =
    own === undefined
      ? call.effectKey(position.ordinal)
      : `${call.context.runId}:tool:${tool.name}:${own}`;
  // A LangGraph task: its result is checkpointed, so a re-run of the node
  // (after an approval, or a crash) replays it instead of calling the tool again.
  const result = await task(`${scope.agent}-tool`, () =>
    executeTool({
      tool,
      input,
      context: call.context,
      node: call.node,
      key,
      toolCallId: toolCall.id,
      signal: call.signal,
    }),
  )();
  return conclude(scope, toolCall, position, {
    ...fromResult(result, tool, gated),
    args,
    rationale,
  });
}
