/** Test doubles for signalbox users: not part of the main entry. */

export {
  type ChatCompletionRequestBody,
  type OpenAiTestServer,
  type OpenAiTestServerOptions,
  promptText,
  type RecordedRequest,
  type ScriptedReply,
  startOpenAiTestServer,
} from "./openai-server.ts";
export {
  ScriptedChatModel,
  type ScriptedTurn,
  type ScriptedTurnToolCall,
  type ScriptedTurnUsage,
} from "./scripted-chat-model.ts";
export { createScriptedDecider, type ScriptedDecider } from "./scripted-decider.ts";
