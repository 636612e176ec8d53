import type { RunResult } from "../analytics/run-result.ts";
import type { RunEvent } from "../graph/events.ts";

/**
 * What a chat turn reports while it goes, noun-then-verb like run events:
 * tokens as the model streams them, tool calls and their results, workflow
 * progress, approval requests, and the turn's end with the reply.
 */
export type ChatEvent =
  | {
      readonly type: "turn-start";
      readonly conversationId: string;
      readonly turnRunId: string;
    }
  | { readonly type: "token"; readonly text: string }
  | {
      readonly type: "tool-call";
      readonly id: string;
      readonly name: string;
      readonly args: Readonly<Record<string, unknown>>;
      readonly rationale: string | null;
    }
  | {
      readonly type: "tool-result";
      readonly id: string;
      readonly name: string;
      readonly isError: boolean;
      readonly text: string;
      readonly run: RunResult | null;
    }
  | { readonly type: "run-progress"; readonly event: RunEvent }
  | {
      readonly type: "approval-request";
      readonly runId: string;
      readonly node: string;
      readonly message: string;
    }
  | {
      readonly type: "turn-end";
      readonly conversationId: string;
      readonly turnRunId: string;
      readonly reply: string;
    };

export type ChatEventType = ChatEvent["type"];
