import type { DecisionRecord } from "../contracts/decision.ts";

/** Events a run emits while it goes, noun-then-verb. */
export type RunEvent =
  | {
      readonly type: "run-start";
      readonly runId: string;
      readonly workflow: string;
      readonly at: string;
    }
  | {
      readonly type: "node-start";
      readonly runId: string;
      readonly node: string;
      readonly at: string;
    }
  | {
      readonly type: "node-end";
      readonly runId: string;
      readonly node: string;
      readonly at: string;
      readonly durationMs: number;
      readonly error?: string;
    }
  | { readonly type: "branch-decision"; readonly runId: string; readonly decision: DecisionRecord }
  | {
      readonly type: "effect";
      readonly runId: string;
      readonly node: string;
      readonly name: string;
      readonly key: string;
      readonly status: "performed" | "replayed" | "planned" | "failed" | "compensated";
    }
  | {
      readonly type: "approval-request";
      readonly runId: string;
      readonly approvalId: string;
      readonly node: string;
      readonly message: string;
      readonly deadline: string | null;
    }
  | {
      readonly type: "run-end";
      readonly runId: string;
      readonly status: string;
      readonly output?: unknown;
      readonly error?: string;
      readonly at: string;
    };

export type RunEventType = RunEvent["type"];
