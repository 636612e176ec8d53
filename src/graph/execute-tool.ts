import { isGraphBubbleUp } from "@langchain/langgraph";
import { errorMessage } from "../errors.ts";
import { isWriteTool, type Tool, type ToolContext } from "../tools/define-tool.ts";
import { describeIssues } from "../validation.ts";
import type { EffectOutcome, RunContext } from "./run-context.ts";

/** What came of executing one tool call: plain JSON, so it can be kept in a checkpoint. */
export type ToolResult =
  | {
      readonly status: "succeeded" | "replayed";
      readonly result: unknown;
      readonly latencyMs: number;
    }
  | { readonly status: "planned"; readonly latencyMs: number }
  | { readonly status: "failed"; readonly error: string; readonly latencyMs: number };

/** One validated call to execute. */
export interface ToolExecution {
  readonly tool: Tool;
  readonly input: unknown;
  readonly context: RunContext;
  readonly node: string;
  /** The effect journal key (and the key the tool passes downstream). */
  readonly key: string;
  readonly toolCallId: string;
  readonly signal: AbortSignal | undefined;
}

async function invokeTool(execution: ToolExecution): Promise<unknown> {
  const { tool, context } = execution;
  const toolContext: ToolContext = {
    runId: context.runId,
    node: execution.node,
    dryRun: context.dryRun,
    logger: context.logger.child({ node: execution.node, tool: tool.name }),
    idempotencyKey: execution.key,
    toolCallId: execution.toolCallId,
    signal: execution.signal,
  };
  const slot = await tool.limiter?.acquire();
  try {
    return (await tool.run(execution.input, toolContext)) ?? null;
  } finally {
    if (slot !== undefined) tool.limiter?.release(slot);
  }
}

/** Write and irreversible tools go through the effect journal (at most once; planned in a dry-run). */
function perform(execution: ToolExecution): Promise<EffectOutcome<unknown>> {
  const { tool } = execution;
  if (!isWriteTool(tool)) {
    return invokeTool(execution).then((result) => ({ status: "performed", result }));
  }
  return execution.context.runEffect({
    key: execution.key,
    node: execution.node,
    name: tool.name,
    effect: tool.effect === "irreversible" ? "irreversible" : "write",
    args: execution.input,
    perform: () => invokeTool(execution),
  });
}

/**
 * Executes one validated tool call. A tool that throws, or returns a result
 * its output schema rejects, becomes a `failed` result for the model, not a
 * crash; interrupts and cancellation still propagate.
 */
export async function executeTool(execution: ToolExecution): Promise<ToolResult> {
  const started = performance.now();
  const latencyMs = () => Math.round((performance.now() - started) * 1000) / 1000;
  let outcome: EffectOutcome<unknown>;
  try {
    outcome = await perform(execution);
  } catch (error) {
    if (isGraphBubbleUp(error) || execution.signal?.aborted) throw error;
    return { status: "failed", error: errorMessage(error), latencyMs: latencyMs() };
  }
  if (outcome.status === "planned") return { status: "planned", latencyMs: latencyMs() };
  const status = outcome.status === "replayed" ? "replayed" : "succeeded";
  const schema = execution.tool.output;
  if (schema === undefined) return { status, result: outcome.result, latencyMs: latencyMs() };
  const checked = schema.safeParse(outcome.result);
  if (checked.success) return { status, result: checked.data ?? null, latencyMs: latencyMs() };
  return {
    status: "failed",
    error: `the tool's result does not match its output schema: ${describeIssues(checked.error.issues)}`,
    latencyMs: latencyMs(),
  };
}
