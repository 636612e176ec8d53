import { randomUUID } from "node:crypto";
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { type BaseMessage, HumanMessage } from "@langchain/core/messages";
import type { RunResult } from "../analytics/run-result.ts";
import { ErrorCode, errorMessage, SignalboxError } from "../errors.ts";
import type { ChatProvider } from "../models/chat-provider.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { toAgentModel } from "../tools/model-turn.ts";
import {
  ANONYMOUS_USER,
  type ChatApprovalPolicy,
  requesterMayNotApprove,
} from "./approval-policy.ts";
import type { ChatEvent } from "./chat-events.ts";
import { createChatGraph } from "./chat-graph.ts";
import { chatToolDefinitions } from "./chat-tools.ts";
import { ChatTurnScope } from "./chat-turn-scope.ts";
import { ConversationLock } from "./conversation-lock.ts";
import { OfflineChatModel } from "./offline-chat-model.ts";
import { textOf } from "./offline-chat-policy.ts";

/** The workflow name of chat turns' pseudo-runs (their decisions are the chat's choices). */
export const CHAT_WORKFLOW = "chat";
/** Longest message accepted, in characters. */
export const MAX_CHAT_MESSAGE = 20_000;
const CONVERSATION_ID = /^[\w.-]{1,128}$/;
/** Model calls and tool rounds one turn may take (LangGraph's recursion limit). */
const TURN_STEP_LIMIT = 24;

const INSTRUCTIONS = `You are signalbox's assistant. A person tells you what they need; you pick the workflow that fits, fill its input from what they said, run it, and report back: its status, its output and its decision path (why it went where it went).
- Ask when a required input is missing or you are not sure which workflow fits; never invent ids.
- When a run waits for approval, tell the person what is being approved and ask them to answer "approve" or "reject". Call approve_run only when their latest message says so explicitly.
- Every tool call needs a "rationale": one short sentence on why.`;

/** Options for {@link createChatAgent}. */
export interface ChatAgentOptions {
  /** The model: a chat model, a configured provider, or "offline"; default the runtime's chat model, else offline. */
  readonly model?: BaseChatModel | ChatProvider | "offline";
  /** The trigger recorded on runs the chat starts. Default "chat". */
  readonly trigger?: string;
  /** Extra instructions appended to the system prompt. */
  readonly instructions?: string;
  /**
   * Who may approve or reject a waiting run from the chat. Default
   * {@link requesterMayNotApprove}: a known user who did not ask for the run.
   */
  readonly approvalPolicy?: ChatApprovalPolicy;
}

/** One message to the chat. */
export interface ChatRequest {
  readonly message: string;
  /** Continue this conversation; it must exist. Omit to start a new one. */
  readonly conversationId?: string;
  /**
   * Who is writing, as the adapter knows them (the HTTP caller, the CLI user).
   * Recorded on the turn, as the requester of the runs it starts and as who decided
   * an approval. Default `anonymous`, which may not approve.
   */
  readonly user?: string;
  readonly onEvent?: (event: ChatEvent) => void;
  readonly signal?: AbortSignal;
}

/** What one turn gave. */
export interface ChatTurn {
  readonly conversationId: string;
  /** The turn's pseudo-run: `signalbox show <id>` lists the chat's decisions. */
  readonly turnRunId: string;
  readonly reply: string;
  /** Runs the turn started, approved or looked at. */
  readonly runs: readonly RunResult[];
}

/** One message of a conversation's history. */
export interface ChatHistoryEntry {
  readonly role: "user" | "assistant" | "tool";
  readonly content: string;
  readonly name?: string;
}

/** Forwards streamed tokens; asks the model to stream (LangChain's lc_prefer_streaming). */
class TokenForwarder extends BaseCallbackHandler {
  name = "signalbox-chat-tokens";
  readonly lc_prefer_streaming = true;
  streamed = "";

  constructor(private readonly emit: (event: ChatEvent) => void) {
    super();
  }

  override handleLLMNewToken(token: string): void {
    if (token === "") return;
    this.streamed += token;
    this.emit({ type: "token", text: token });
  }
}

/**
 * @throws SignalboxError INPUT_INVALID when the message is empty or too long
 */
export function validateChatMessage(message: unknown): string {
  if (typeof message !== "string" || message.trim() === "")
    throw new SignalboxError(ErrorCode.InputInvalid, "the message is empty: say what you need");
  if (message.length > MAX_CHAT_MESSAGE)
    throw new SignalboxError(
      ErrorCode.InputInvalid,
      `the message is ${message.length} characters; the limit is ${MAX_CHAT_MESSAGE}`,
    );
  return message.trim();
}

/**
 * @throws SignalboxError INPUT_INVALID unless the user is 1 to 128 printable characters
 */
export function validateChatUser(user: unknown): string {
  if (typeof user !== "string" || !/^[^\p{C}]{1,128}$/u.test(user) || user.trim() !== user)
    throw new SignalboxError(
      ErrorCode.InputInvalid,
      "the user must be 1 to 128 printable characters, without leading or trailing spaces",
      { data: { field: "user" } },
    );
  return user;
}

/**
 * A conversation partner over a runtime: a LangGraph agent whose tools are the
 * registered workflows and the run tools, checkpointed per conversation in the
 * runtime's store. Each turn is a pseudo-run of workflow "chat" (child of the
 * conversation id); its decisions are the chat's choices, and the runs it
 * starts are its children.
 */
export class ChatAgent {
  private readonly scopes = new Map<string, ChatTurnScope>();
  private readonly lock = new ConversationLock();
  private readonly graph;
  private readonly trigger: string;
  private readonly approvalPolicy: ChatApprovalPolicy;

  constructor(
    readonly runtime: Runtime,
    options: ChatAgentOptions = {},
  ) {
    this.trigger = options.trigger ?? "chat";
    this.approvalPolicy = options.approvalPolicy ?? requesterMayNotApprove;
    // Default: the runtime's configured chat model, else offline.
    const chosen = options.model ?? runtime.chat ?? "offline";
    const model = toAgentModel(chosen === "offline" ? new OfflineChatModel({}) : chosen);
    this.graph = createChatGraph({
      model,
      tools: () => chatToolDefinitions(runtime),
      instructions: [INSTRUCTIONS, options.instructions ?? ""].join("\n").trim(),
      checkpointer: runtime.store.checkpointer,
      scopeOf: (threadId) => this.mustScope(threadId),
    });
  }

  /**
   * Sends one message and waits for the reply. Messages to one conversation are
   * handled one at a time, in order.
   * @throws SignalboxError INPUT_INVALID (empty or oversized message, unknown conversation id)
   */
  async send(request: ChatRequest): Promise<ChatTurn> {
    const message = validateChatMessage(request.message);
    if (request.user !== undefined) validateChatUser(request.user);
    const conversationId = request.conversationId ?? `conv-${randomUUID()}`;
    if (request.conversationId !== undefined) await this.assertExists(request.conversationId);
    return this.lock.run(conversationId, () => this.turn(conversationId, message, request));
  }

  /** Whether a conversation with this id has been stored. */
  async exists(conversationId: string): Promise<boolean> {
    if (!CONVERSATION_ID.test(conversationId)) return false;
    const tuple = await this.runtime.store.checkpointer.getTuple({
      configurable: { thread_id: conversationId },
    });
    return tuple !== undefined;
  }

  /** The conversation so far (empty for an unknown id). */
  async history(conversationId: string): Promise<ChatHistoryEntry[]> {
    if (!(await this.exists(conversationId))) return [];
    const snapshot = await this.graph.getState({ configurable: { thread_id: conversationId } });
    const messages = ((snapshot.values as { messages?: BaseMessage[] }).messages ?? []).flatMap(
      toHistoryEntry,
    );
    return messages;
  }

  /** The workflow runs started in a conversation, oldest first. */
  async runs(conversationId: string) {
    const turns = await this.runtime.list({ parentRunId: conversationId, workflow: CHAT_WORKFLOW });
    const children = await Promise.all(
      turns.map((turn) => this.runtime.list({ parentRunId: turn.id })),
    );
    return children.flat().sort((left, right) => left.createdAt.localeCompare(right.createdAt));
  }

  private async assertExists(conversationId: string): Promise<void> {
    if (await this.exists(conversationId)) return;
    throw new SignalboxError(
      ErrorCode.ConversationNotFound,
      `no conversation with id "${conversationId}"; omit the id to start a new one`,
      { data: { conversationId } },
    );
  }

  private mustScope(threadId: string): ChatTurnScope {
    const scope = this.scopes.get(threadId);
    if (scope === undefined)
      throw new SignalboxError(ErrorCode.InvalidTransition, `no chat turn running on ${threadId}`);
    return scope;
  }

  private async startTurnRun(conversationId: string, message: string, user: string) {
    const turns = await this.runtime.list({ parentRunId: conversationId, limit: 100_000 });
    const turnRunId = `${conversationId}.${turns.length + 1}`;
    await this.runtime.store.createRun({
      id: turnRunId,
      workflow: CHAT_WORKFLOW,
      version: "1",
      // `user` is who asked for the runs this turn starts (see requesterOf).
      input: { conversationId, message, user },
      trigger: this.trigger,
      dryRun: false,
      parentRunId: conversationId,
      // Running with no lease: the chat drives its own turns; no worker may claim one.
      status: "running",
    });
    return turnRunId;
  }

  private async turn(conversationId: string, message: string, request: ChatRequest) {
    const emit = (event: ChatEvent) => request.onEvent?.(event);
    const user = request.user ?? ANONYMOUS_USER;
    const turnRunId = await this.startTurnRun(conversationId, message, user);
    const scope = new ChatTurnScope(this.runtime, turnRunId, message, emit, {
      trigger: this.trigger,
      user,
      approvalPolicy: this.approvalPolicy,
      chatWorkflow: CHAT_WORKFLOW,
    });
    this.scopes.set(conversationId, scope);
    emit({ type: "turn-start", conversationId, turnRunId });
    try {
      const result = await this.graph.invoke(
        { messages: [new HumanMessage(message)] },
        {
          configurable: { thread_id: conversationId },
          callbacks: [new TokenForwarder(emit)],
          signal: request.signal,
          recursionLimit: TURN_STEP_LIMIT,
        },
      );
      const last = result.messages.at(-1);
      const reply = last === undefined ? "" : textOf(last);
      await this.finishTurn(turnRunId, { status: "succeeded", output: { reply } });
      emit({ type: "turn-end", conversationId, turnRunId, reply });
      return { conversationId, turnRunId, reply, runs: [...scope.runs.values()] };
    } catch (error) {
      await this.finishTurn(turnRunId, { status: "failed", error: errorMessage(error) });
      throw error;
    } finally {
      this.scopes.delete(conversationId);
    }
  }

  private async finishTurn(
    turnRunId: string,
    patch: { status: "succeeded" | "failed"; output?: unknown; error?: string },
  ) {
    await this.runtime.store.updateRun(turnRunId, {
      ...patch,
      finishedAt: new Date().toISOString(),
    });
  }
}

function toHistoryEntry(message: BaseMessage): ChatHistoryEntry[] {
  const content = textOf(message);
  if (message.type === "human") return [{ role: "user", content }];
  if (message.type === "tool") return [{ role: "tool", content, name: message.name ?? "" }];
  if (message.type === "ai" && content !== "") return [{ role: "assistant", content }];
  return [];
}

/**
 * Creates the chat agent over a runtime.
 * @example
 * ```ts
 * const chat = createChatAgent(runtime);
 * const turn = await chat.send({ message: "Customer C-1005 wants a refund for order 5031" });
 * ```
 */
export function createChatAgent(runtime: Runtime, options: ChatAgentOptions = {}): ChatAgent {
  return new ChatAgent(runtime, options);
}
