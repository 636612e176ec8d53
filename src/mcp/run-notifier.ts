import type { LoggingLevel } from "@modelcontextprotocol/sdk/types.js";
import type { DecisionRecord } from "../contracts/decision.ts";
import type { RunEvent } from "../graph/events.ts";
import type { ClientLogLevel } from "./client-log-level.ts";
import type { McpContext, RequestExtra } from "./mcp-context.ts";

/** Turns a run's events into MCP progress and log notifications for one request. */
export interface RunNotifier {
  readonly onEvent: (event: RunEvent) => void;
  /** Sends a progress message of our own (when the client asked for progress). */
  report(message: string): void;
  /** Resolves once every notification queued so far has been handed to the transport. */
  flush(): Promise<void>;
}

type NodeEnd = Extract<RunEvent, { type: "node-end" }>;

/** The progress message for a finished node: the node and the decision it took, if any. */
export function nodeEndMessage(event: NodeEnd, decisions: readonly DecisionRecord[]): string {
  if (event.error) return `${event.node} failed: ${event.error}`;
  if (decisions.length === 0) return `${event.node} done`;
  const taken = decisions.map((decision) => `${decision.choice}: ${decision.reason}`);
  return `${event.node} → ${taken.join("; ")}`;
}

/** The decisions of the node's latest step (a node may run more than once in a run). */
function latestDecisions(decisions: readonly DecisionRecord[]): DecisionRecord[] {
  const step = Math.max(...decisions.map((decision) => decision.step));
  return decisions.filter((decision) => decision.step === step);
}

function logEntry(event: RunEvent): { level: LoggingLevel; data: unknown } | undefined {
  const { type, runId } = event;
  switch (event.type) {
    case "run-start":
      return { level: "info", data: { event: type, runId, workflow: event.workflow } };
    case "branch-decision": {
      const { node, choice, reason } = event.decision;
      return { level: "debug", data: { event: type, runId, node, choice, reason } };
    }
    case "node-end":
      return event.error
        ? { level: "warning", data: { event: type, runId, node: event.node, error: event.error } }
        : undefined;
    case "approval-request":
      return {
        level: "notice",
        data: { event: type, runId, node: event.node, message: event.message },
      };
    case "run-end":
      return {
        level: event.status === "failed" ? "error" : "info",
        data: { event: type, runId, status: event.status, error: event.error },
      };
    case "node-start":
    case "effect":
      return undefined;
  }
}

/**
 * Creates the notifier for one tool call. Progress goes out only when the client
 * sent a progress token: one notification per finished node, naming the node and
 * the decision it took (read back from the decision log). Log messages go out only
 * once the session set a level with `logging/setLevel`, at or above it (see
 * {@link ClientLogLevel}). Everything is queued in order, so the caller
 * can flush before it returns the result (on stdio the last notification could
 * otherwise arrive after it).
 */
export function createRunNotifier(context: McpContext, extra: RequestExtra): RunNotifier {
  const token = extra._meta?.progressToken;
  let progress = 0;
  let queue: Promise<void> = Promise.resolve();
  const enqueue = (send: () => Promise<void>) => {
    queue = queue.then(send).catch((error: unknown) => {
      context.logger.debug({ error: String(error) }, "could not send an MCP notification");
    });
  };
  const sendProgress = (message: () => Promise<string> | string) => {
    if (token === undefined) return;
    progress += 1;
    const current = progress;
    enqueue(async () => {
      const params = { progressToken: token, progress: current, message: await message() };
      await extra.sendNotification({ method: "notifications/progress", params });
    });
  };
  const onEvent = (event: RunEvent) => {
    const entry = logEntry(event);
    if (entry !== undefined && context.clientLog.wants(entry.level)) {
      const params = { ...entry, logger: "signalbox" };
      enqueue(() => context.clientLog.send(params, extra.sessionId));
    }
    if (event.type === "node-end") {
      sendProgress(async () => {
        const decisions = await context.runtime.decisions({ runId: event.runId, node: event.node });
        return nodeEndMessage(event, decisions.length > 0 ? latestDecisions(decisions) : []);
      });
    } else if (event.type === "approval-request") {
      sendProgress(() => `${event.node}: waiting for approval: ${event.message}`);
    }
  };
  return { onEvent, report: (message) => sendProgress(() => message), flush: () => queue };
}
