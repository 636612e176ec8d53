/** Test doubles for signalbox users: not part of the main entry. */

export { ScriptedChatModel, type ScriptedTurn } from "./scripted-chat-model.ts";
export { createScriptedDecider, type ScriptedDecider } from "./scripted-decider.ts";
