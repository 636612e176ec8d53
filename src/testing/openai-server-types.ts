/** Types shared by the OpenAI-compatible test server and its wire encoders. */

/** Token counts a scripted reply reports back (`usage.prompt_tokens` / `completion_tokens`). */
export interface ScriptedUsage {
  readonly prompt: number;
  readonly completion: number;
}

/** One tool call the scripted assistant makes; `arguments` is JSON-serialised onto the wire. */
export interface ScriptedToolCall {
  readonly name: string;
  readonly arguments: unknown;
  /** Wire id of the call; defaults to `call_<n>` numbered per server. */
  readonly id?: string;
}

/** What the test server answers to one chat-completion request. */
export type ScriptedReply =
  | { readonly kind: "text"; readonly content: string; readonly usage?: ScriptedUsage }
  | {
      readonly kind: "tool_calls";
      readonly calls: readonly ScriptedToolCall[];
      readonly content?: string;
      readonly usage?: ScriptedUsage;
    }
  /** Content is `JSON.stringify(value)`: the answer to a `response_format` json_schema request. */
  | { readonly kind: "json"; readonly value: unknown; readonly usage?: ScriptedUsage }
  /**
   * An HTTP error. `body` replaces the default `{ error: { message, type, code } }` body;
   * `message` only replaces its message. `retryAfterSeconds` sets the `retry-after` header.
   */
  | {
      readonly kind: "error";
      readonly status: number;
      readonly body?: unknown;
      readonly message?: string;
      readonly retryAfterSeconds?: number;
    }
  /** Accept the request and never answer, until the client gives up or the server closes. */
  | { readonly kind: "hang" }
  /** Status 200 with a body that is not valid JSON (a broken SSE chunk when streaming). */
  | { readonly kind: "malformed" }
  /** Destroy the socket with a TCP reset after the request body arrived. */
  | { readonly kind: "reset" };

/** A tool call inside an assistant message the client sends back (conversation history). */
export interface ChatCompletionWireToolCall {
  readonly id: string;
  readonly type: string;
  readonly function: { readonly name: string; readonly arguments: string };
}

/** One content part of a multi-part message. */
export interface ChatCompletionContentPart {
  readonly type: string;
  readonly text?: string;
  readonly [key: string]: unknown;
}

/** One message of a chat-completion request, as the client put it on the wire. */
export interface ChatCompletionMessage {
  readonly role: string;
  readonly content?: string | readonly ChatCompletionContentPart[] | null;
  readonly tool_calls?: readonly ChatCompletionWireToolCall[];
  readonly tool_call_id?: string;
  readonly name?: string;
  readonly [key: string]: unknown;
}

/** One tool definition of a chat-completion request. */
export interface ChatCompletionTool {
  readonly type: string;
  readonly function?: {
    readonly name: string;
    readonly description?: string;
    readonly parameters?: unknown;
    readonly strict?: boolean;
  };
}

/**
 * The parsed JSON body of `POST /v1/chat/completions`. Only checked to be a JSON object:
 * the fields are typed as OpenAI documents them, and anything else the client sends is kept.
 */
export interface ChatCompletionRequestBody {
  readonly model?: string;
  readonly messages?: readonly ChatCompletionMessage[];
  readonly tools?: readonly ChatCompletionTool[];
  readonly tool_choice?:
    | string
    | { readonly type: string; readonly function?: { readonly name: string } };
  readonly response_format?: {
    readonly type: string;
    readonly json_schema?: {
      readonly name: string;
      readonly description?: string;
      readonly schema?: unknown;
      readonly strict?: boolean;
    };
  };
  readonly stream?: boolean;
  readonly stream_options?: { readonly include_usage?: boolean } | null;
  readonly [key: string]: unknown;
}

/** One chat-completion request the server received. */
export interface RecordedRequest {
  readonly path: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: ChatCompletionRequestBody;
  /** `Date.now()` when the body had arrived. */
  readonly at: number;
}

/** Picks the reply for a request; `undefined` falls back to the queue. */
export type ReplyHandler = (request: RecordedRequest) => ScriptedReply | undefined;

/** The text of one message: its string content, or its text parts joined. */
export function messageText(message: ChatCompletionMessage): string {
  const { content } = message;
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((part) => part.text ?? "").join("");
}

/** All message texts of a request, one per line: handy for `respondWith` handlers. */
export function promptText(request: RecordedRequest): string {
  return (request.body.messages ?? []).map(messageText).join("\n");
}
