import type { ToolDefinition } from "@langchain/core/language_models/base";
import {
  BaseChatModel,
  type BaseChatModelCallOptions,
  type BindToolsInput,
} from "@langchain/core/language_models/chat_models";
import type { BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { answerPerson, reportResults } from "./offline-chat-policy.ts";

export type OfflineChatModelCallOptions = BaseChatModelCallOptions & {
  readonly tools?: readonly BindToolsInput[];
};

function functionTools(tools: readonly BindToolsInput[] | undefined): ToolDefinition[] {
  return (tools ?? []).filter(
    (tool): tool is ToolDefinition =>
      typeof tool === "object" && tool !== null && (tool as ToolDefinition).type === "function",
  );
}

/**
 * The chat agent's model with no LLM behind it: it picks the workflow whose
 * description best matches the request, fills its input from the text (asking
 * for what is missing), relays an explicit yes/no to a pending approval, and
 * reports results with their decision path. It says when it is unsure.
 */
export class OfflineChatModel extends BaseChatModel<OfflineChatModelCallOptions> {
  _llmType(): string {
    return "offline-chat";
  }

  override getName(): string {
    return "offline-chat";
  }

  override bindTools(tools: BindToolsInput[], options?: Partial<OfflineChatModelCallOptions>) {
    return this.withConfig({ ...options, tools });
  }

  async _generate(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
  ): Promise<ChatResult> {
    const last = messages.at(-1);
    const message =
      last?.type === "tool"
        ? reportResults(messages)
        : answerPerson(messages, functionTools(options.tools));
    const text = typeof message.content === "string" ? message.content : "";
    return { generations: [{ text, message }] };
  }
}
