import {
  BaseChatModel,
  type BaseChatModelCallOptions,
  type BaseChatModelParams,
  type BindToolsInput,
} from "@langchain/core/language_models/chat_models";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";

/** One tool call of a scripted turn; `id` defaults to `scripted_call_<n>`. */
export interface ScriptedTurnToolCall {
  readonly name: string;
  readonly args: Record<string, unknown>;
  readonly id?: string;
}

/** Token usage a scripted turn reports. */
export interface ScriptedTurnUsage {
  readonly tokensIn?: number;
  readonly tokensOut?: number;
}

/**
 * One scripted turn: the reply text (with optional token usage), tool calls
 * (with optional text), or an Error to throw.
 */
export type ScriptedTurn =
  | string
  | Error
  | ({ readonly content: string } & ScriptedTurnUsage)
  | ({
      readonly toolCalls: readonly ScriptedTurnToolCall[];
      readonly content?: string;
    } & ScriptedTurnUsage);

export type ScriptedChatModelCallOptions = BaseChatModelCallOptions & {
  readonly tools?: readonly BindToolsInput[];
};

/**
 * A LangChain chat model that replays queued turns and records every request
 * (and the tools bound for it), so tests drive the model boundary without a network.
 */
export class ScriptedChatModel extends BaseChatModel<ScriptedChatModelCallOptions> {
  readonly requests: BaseMessage[][] = [];
  /** The tools bound for each request, parallel to `requests` (empty when none). */
  readonly toolRequests: (readonly BindToolsInput[])[] = [];
  private readonly turns: ScriptedTurn[];
  private readonly modelName: string;
  private callCount = 0;

  constructor(
    turns: readonly ScriptedTurn[],
    options: BaseChatModelParams & { modelName?: string } = {},
  ) {
    super(options);
    this.turns = [...turns];
    this.modelName = options.modelName ?? "scripted";
  }

  _llmType(): string {
    return "scripted";
  }

  override getName(): string {
    return this.modelName;
  }

  /** Binds tools as any tool-calling chat model does; they are recorded with each request. */
  override bindTools(tools: BindToolsInput[], options?: Partial<ScriptedChatModelCallOptions>) {
    return this.withConfig({ ...options, tools });
  }

  /** Turns not consumed yet; a test should end with none. */
  remaining(): number {
    return this.turns.length;
  }

  /**
   * Fails when scripted turns were never asked for, so a test notices a model
   * call that did not happen. Call it at the end of a test (or in `onTestFinished`).
   */
  assertConsumed(): void {
    if (this.turns.length > 0) {
      throw new Error(
        `scripted chat model: ${this.turns.length} scripted turn(s) were never consumed (${this.requests.length} request(s) made)`,
      );
    }
  }

  async _generate(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
  ): Promise<ChatResult> {
    this.requests.push(messages);
    this.toolRequests.push(options.tools ?? []);
    const turn = this.turns.shift();
    if (turn === undefined)
      throw new Error(`scripted chat model called ${this.requests.length} times; no turn left`);
    if (turn instanceof Error) throw turn;
    const content = typeof turn === "string" ? turn : (turn.content ?? "");
    const usage: ScriptedTurnUsage =
      typeof turn === "string" ? { tokensIn: 10, tokensOut: 5 } : turn;
    const toolCalls = typeof turn === "object" && "toolCalls" in turn ? turn.toolCalls : [];
    const message = new AIMessage({
      content,
      tool_calls: toolCalls.map((toolCall) => ({
        id: toolCall.id ?? `scripted_call_${++this.callCount}`,
        name: toolCall.name,
        args: toolCall.args,
        type: "tool_call" as const,
      })),
      usage_metadata: {
        input_tokens: usage.tokensIn ?? 0,
        output_tokens: usage.tokensOut ?? 0,
        total_tokens: (usage.tokensIn ?? 0) + (usage.tokensOut ?? 0),
      },
    });
    return { generations: [{ text: content, message }] };
  }
}
