import type { ToolDefinition as ModelToolDefinition } from "@langchain/core/language_models/base";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { DecisionInput } from "../contracts/decision.ts";
import { ErrorCode, SignalboxError } from "../errors.ts";
import { ChatProvider } from "../models/chat-provider.ts";
import { OfflineAgentModel } from "../models/offline-agent-model.ts";

/** One tool call of a model turn; `malformed` when its arguments were not valid JSON. */
export interface TurnToolCall {
  readonly id: string;
  readonly name: string;
  readonly args: Record<string, unknown>;
  readonly malformed?: string;
}

/**
 * One model reply, as plain JSON: kept in the checkpoint so that a re-run of
 * the agent node replays it instead of asking the model again.
 */
export interface ModelTurn {
  readonly content: string;
  readonly toolCalls: readonly TurnToolCall[];
  readonly modelId: string;
  readonly tokensIn: number | null;
  readonly tokensOut: number | null;
  readonly latencyMs: number;
  /** The offline model's similarity score; null for LLMs. */
  readonly confidence: number | null;
  /** Decisions made on the way (the provider's retries), replayed into the log with the turn. */
  readonly reports: readonly DecisionInput[];
}

/** The model an agent talks to, whatever was configured. */
export interface AgentModel {
  readonly id: string;
  readonly decidedBy: "llm" | "classifier";
  /** Providers name themselves; plain chat models are named by the reply's model name. */
  readonly fixedId: boolean;
  invoke(
    messages: readonly BaseMessage[],
    tools: readonly ModelToolDefinition[],
    report: (decision: DecisionInput) => void,
    signal: AbortSignal | undefined,
  ): Promise<AIMessage>;
}

function bound(model: BaseChatModel, tools: readonly ModelToolDefinition[]) {
  if (tools.length === 0) return model;
  if (typeof model.bindTools !== "function") {
    throw new SignalboxError(
      ErrorCode.ConfigInvalid,
      `${model.getName()} cannot call tools (it has no bindTools); give the agent a tool-calling chat model or "offline"`,
    );
  }
  return model.bindTools([...tools]);
}

/**
 * Wraps whatever an agent was given as its model. Without one it runs
 * offline; the run's configured LLM (`RunContext.llm`) is a route decider,
 * not a tool-calling model, so it is not used here yet.
 */
export function toAgentModel(model: BaseChatModel | ChatProvider | "offline" | undefined) {
  const chat = model === undefined || model === "offline" ? new OfflineAgentModel() : model;
  if (chat instanceof ChatProvider) {
    const provider = chat;
    return {
      id: provider.id,
      decidedBy: "llm",
      fixedId: true,
      invoke: (messages, tools, report, signal) =>
        provider.call(
          (inner) => bound(inner, tools).invoke([...messages], { signal }) as Promise<AIMessage>,
          report,
          Math.ceil(JSON.stringify(messages).length / 4),
        ),
    } satisfies AgentModel as AgentModel;
  }
  return {
    id: chat.getName(),
    decidedBy: chat instanceof OfflineAgentModel ? "classifier" : "llm",
    fixedId: false,
    invoke: (messages, tools, _report, signal) =>
      bound(chat, tools).invoke([...messages], { signal }) as Promise<AIMessage>,
  } satisfies AgentModel as AgentModel;
}

function textOf(content: AIMessage["content"]): string {
  if (typeof content === "string") return content;
  return content
    .map((part) => (part.type === "text" && typeof part.text === "string" ? part.text : ""))
    .join("");
}

function toolCallsOf(message: AIMessage, iteration: number): TurnToolCall[] {
  const valid = (message.tool_calls ?? []).map((toolCall) => ({
    id: toolCall.id ?? "",
    name: toolCall.name,
    args: (toolCall.args ?? {}) as Record<string, unknown>,
  }));
  const invalid = (message.invalid_tool_calls ?? []).map((toolCall) => ({
    id: toolCall.id ?? "",
    name: toolCall.name ?? "",
    args: {},
    malformed: `${toolCall.error ?? "unparsable arguments"}: ${String(toolCall.args ?? "").slice(0, 200)}`,
  }));
  // Ids pair each call with its result; a model that sends none gets stable ones.
  return [...valid, ...invalid].map((toolCall, index) =>
    toolCall.id === "" ? { ...toolCall, id: `call_${iteration}_${index}` } : toolCall,
  );
}

/** Asks the model once and returns its reply as plain JSON. */
export async function takeTurn(
  model: AgentModel,
  messages: readonly BaseMessage[],
  tools: readonly ModelToolDefinition[],
  signal: AbortSignal | undefined,
  iteration: number,
): Promise<ModelTurn> {
  const reports: DecisionInput[] = [];
  const started = performance.now();
  const message = await model.invoke(messages, tools, (decision) => reports.push(decision), signal);
  const metadata = (message.response_metadata ?? {}) as Record<string, unknown>;
  const named = typeof metadata.model_name === "string" ? metadata.model_name : undefined;
  const confidence = metadata.confidence;
  return {
    content: textOf(message.content),
    toolCalls: toolCallsOf(message, iteration),
    modelId: model.fixedId ? model.id : (named ?? model.id),
    tokensIn: message.usage_metadata?.input_tokens ?? null,
    tokensOut: message.usage_metadata?.output_tokens ?? null,
    latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
    confidence: typeof confidence === "number" ? confidence : null,
    reports,
  };
}

/** The turn as the assistant message of the conversation. */
export function turnMessage(turn: ModelTurn): AIMessage {
  return new AIMessage({
    content: turn.content,
    tool_calls: turn.toolCalls.map((toolCall) => ({
      id: toolCall.id,
      name: toolCall.name,
      args: toolCall.args,
      type: "tool_call" as const,
    })),
  });
}
