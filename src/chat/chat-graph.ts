import type { ToolDefinition as ModelToolDefinition } from "@langchain/core/language_models/base";
import {
  type AIMessage,
  type BaseMessage,
  SystemMessage,
  ToolMessage,
} from "@langchain/core/messages";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import type { BaseCheckpointSaver } from "@langchain/langgraph-checkpoint";
import type { DecisionInput } from "../contracts/decision.ts";
import type { AgentModel } from "../tools/model-turn.ts";
import { splitRationale } from "../tools/tool-schema.ts";
import type { ChatTurnScope } from "./chat-turn-scope.ts";

/** What the chat graph is built from. */
export interface ChatGraphOptions {
  readonly model: AgentModel;
  readonly tools: () => readonly ModelToolDefinition[];
  readonly instructions: string;
  readonly checkpointer: BaseCheckpointSaver;
  /** The scope of the turn running on a thread (conversation id). */
  readonly scopeOf: (threadId: string) => ChatTurnScope;
}

type State = typeof MessagesAnnotation.State;

function threadOf(config: LangGraphRunnableConfig): string {
  return String(config.configurable?.thread_id ?? "");
}

async function agentNode(options: ChatGraphOptions, state: State, config: LangGraphRunnableConfig) {
  const scope = options.scopeOf(threadOf(config));
  const messages: BaseMessage[] = [new SystemMessage(options.instructions), ...state.messages];
  const reports: DecisionInput[] = [];
  const started = performance.now();
  const tools = options.tools();
  const message = await options.model.invoke(
    messages,
    tools,
    (decision) => reports.push(decision),
    config.signal,
  );
  const latencyMs = Math.round(performance.now() - started);
  await scope.recordTurn({ message, reports, latencyMs, model: options.model, tools });
  return { messages: [message] };
}

async function toolsNode(options: ChatGraphOptions, state: State, config: LangGraphRunnableConfig) {
  const scope = options.scopeOf(threadOf(config));
  const last = state.messages.at(-1) as AIMessage | undefined;
  const results: ToolMessage[] = [];
  for (const toolCall of last?.tool_calls ?? []) {
    const id = toolCall.id ?? `call_${results.length}`;
    const { rationale, args } = splitRationale(toolCall.args);
    const outcome = await scope.callTool({ id, name: toolCall.name, args, rationale });
    results.push(
      new ToolMessage({
        content: outcome.text,
        tool_call_id: id,
        name: toolCall.name,
        status: outcome.isError ? "error" : "success",
      }),
    );
  }
  return { messages: results };
}

function next(state: State): "tools" | typeof END {
  const last = state.messages.at(-1) as AIMessage | undefined;
  return last?.type === "ai" && (last.tool_calls?.length ?? 0) > 0 ? "tools" : END;
}

/**
 * The chat agent as a LangGraph graph: a model turn, then the tool calls it
 * asked for, until it answers in text. Checkpointed per conversation (thread
 * id = conversation id) in the runtime's checkpointer.
 */
export function createChatGraph(options: ChatGraphOptions) {
  return new StateGraph(MessagesAnnotation)
    .addNode("agent", (state, config) => agentNode(options, state, config))
    .addNode("tools", (state, config) => toolsNode(options, state, config))
    .addEdge(START, "agent")
    .addConditionalEdges("agent", next, ["tools", END])
    .addEdge("tools", "agent")
    .compile({ checkpointer: options.checkpointer });
}
