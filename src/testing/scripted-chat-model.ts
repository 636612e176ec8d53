import {
  BaseChatModel,
  type BaseChatModelParams,
} from "@langchain/core/language_models/chat_models";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";

/** One scripted turn: the reply text (with optional token usage), or an Error to throw. */
export type ScriptedTurn =
  | string
  | Error
  | { readonly content: string; readonly tokensIn?: number; readonly tokensOut?: number };

/**
 * A LangChain chat model that replays queued turns and records every request,
 * so tests drive the model boundary without a network.
 */
export class ScriptedChatModel extends BaseChatModel {
  readonly requests: BaseMessage[][] = [];
  private readonly turns: ScriptedTurn[];
  private readonly modelName: string;

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

  /** Turns not consumed yet; a test should end with none. */
  remaining(): number {
    return this.turns.length;
  }

  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    this.requests.push(messages);
    const turn = this.turns.shift();
    if (turn === undefined)
      throw new Error(`scripted chat model called ${this.requests.length} times; no turn left`);
    if (turn instanceof Error) throw turn;
    const content = typeof turn === "string" ? turn : turn.content;
    const usage = typeof turn === "string" ? { tokensIn: 10, tokensOut: 5 } : turn;
    const message = new AIMessage({
      content,
      usage_metadata: {
        input_tokens: usage.tokensIn ?? 0,
        output_tokens: usage.tokensOut ?? 0,
        total_tokens: (usage.tokensIn ?? 0) + (usage.tokensOut ?? 0),
      },
    });
    return { generations: [{ text: content, message }] };
  }
}
