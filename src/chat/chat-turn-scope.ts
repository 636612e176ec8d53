import type { ToolDefinition as ModelToolDefinition } from "@langchain/core/language_models/base";
import type { AIMessage } from "@langchain/core/messages";
import { AsyncLocalStorageProviderSingleton } from "@langchain/core/singletons";
import type { RunResult } from "../analytics/run-result.ts";
import { createDecisionRecord, type DecisionInput } from "../contracts/decision.ts";
import type { RunEvent } from "../graph/events.ts";
import type { Runtime } from "../runtime/runtime.ts";
import type { AgentModel } from "../tools/model-turn.ts";
import type { ChatApprovalPolicy } from "./approval-policy.ts";
import type { ChatEvent } from "./chat-events.ts";
import { APPROVE_RUN_TOOL, chatDecider, executeChatTool } from "./chat-tools.ts";

/** Who is speaking in a turn, through which channel, and who may approve what. */
export interface ChatAccess {
  /** Recorded on runs the turn starts, e.g. `http-chat`. */
  readonly trigger: string;
  readonly user: string;
  readonly approvalPolicy: ChatApprovalPolicy;
  readonly chatWorkflow: string;
}

/** The node name chat decisions are recorded under. */
export const CHAT_NODE = "chat";

/** One model reply of a turn, with what the provider reported on the way. */
export interface RecordedTurn {
  readonly message: AIMessage;
  readonly reports: readonly DecisionInput[];
  readonly latencyMs: number;
  readonly model: AgentModel;
  readonly tools: readonly ModelToolDefinition[];
}

/** A tool call the model asked for. */
export interface ChatToolCall {
  readonly id: string;
  readonly name: string;
  readonly args: Record<string, unknown>;
  readonly rationale: string | undefined;
}

/**
 * Everything one chat turn shares between the graph's nodes and its caller:
 * the turn's pseudo-run (decisions are recorded under it), the events sink,
 * and the runs it touched.
 */
export class ChatTurnScope {
  readonly runs = new Map<string, RunResult>();
  private index = 0;

  constructor(
    readonly runtime: Runtime,
    readonly turnRunId: string,
    readonly lastUserMessage: string,
    readonly emit: (event: ChatEvent) => void,
    readonly access: ChatAccess,
  ) {}

  private async decide(input: DecisionInput): Promise<void> {
    const index = this.index++;
    const identity = { key: `${input.node}@0#${index}`, runId: this.turnRunId, step: index };
    await this.runtime.store.recordDecision(createDecisionRecord(input, identity));
  }

  /** Records the model's choices: each tool call (with its rationale), or that it was unsure and asked. */
  async recordTurn(turn: RecordedTurn): Promise<void> {
    for (const report of turn.reports) await this.decide({ ...report, node: CHAT_NODE });
    const metadata = (turn.message.response_metadata ?? {}) as Record<string, unknown>;
    const confidence = typeof metadata.confidence === "number" ? metadata.confidence : null;
    const usage = turn.message.usage_metadata;
    const base = {
      node: CHAT_NODE,
      options: turn.tools.map((tool) => ({ name: tool.function.name })),
      decidedBy: turn.model.decidedBy,
      modelId: typeof metadata.model_name === "string" ? metadata.model_name : turn.model.id,
      tokensIn: usage?.input_tokens ?? null,
      tokensOut: usage?.output_tokens ?? null,
      latencyMs: turn.latencyMs,
    } as const;
    for (const toolCall of turn.message.tool_calls ?? []) {
      const rationale = toolCall.args.rationale;
      await this.decide({
        ...base,
        kind: "tool",
        choice: toolCall.name,
        reason: `${typeof rationale === "string" ? rationale : "no rationale given"}; arguments ${JSON.stringify({ ...toolCall.args, rationale: undefined })}`,
        confidence,
      });
    }
    if (metadata.unsure === true || typeof metadata.awaiting === "string")
      await this.decide({
        ...base,
        kind: "escalation",
        choice: "ask",
        reason: String(turn.message.content).slice(0, 300),
        confidence,
      });
  }

  /** Runs a tool call, reporting it, its result, the runs' progress and approval requests. */
  async callTool(call: ChatToolCall) {
    this.emit({ type: "tool-call", ...call, rationale: call.rationale ?? null });
    // Outside the chat graph's async context: a workflow run is its own graph on its own
    // thread, not a subgraph of the chat (its interrupts must not reach the chat's run).
    const outcome = await AsyncLocalStorageProviderSingleton.getInstance().run(undefined, () =>
      executeChatTool(
        {
          ...this.access,
          runtime: this.runtime,
          turnRunId: this.turnRunId,
          lastUserMessage: this.lastUserMessage,
          onRunEvent: (event: RunEvent) => this.emit({ type: "run-progress", event }),
        },
        call.name,
        call.args,
      ),
    );
    if (call.name === APPROVE_RUN_TOOL && !outcome.isError)
      await this.decide({
        node: CHAT_NODE,
        kind: "approval",
        options: [{ name: "approve" }, { name: "reject" }],
        choice: String(call.args.decision),
        reason: `${chatDecider(this.access)} said "${this.lastUserMessage.trim().slice(0, 200)}" about run ${String(call.args.runId)}`,
        confidence: null,
        decidedBy: "human",
      });
    this.emit({ type: "tool-result", id: call.id, name: call.name, ...outcome });
    if (outcome.run !== null) this.noteRun(outcome.run);
    return outcome;
  }

  private noteRun(run: RunResult): void {
    this.runs.set(run.runId, run);
    if (run.status === "waiting" && run.approval !== null)
      this.emit({
        type: "approval-request",
        runId: run.runId,
        node: run.approval.node,
        message: run.approval.message,
      });
  }
}
