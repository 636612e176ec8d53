import type { ToolDefinition } from "@langchain/core/language_models/base";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import { fillArguments } from "../models/offline-agent-model.ts";
import { approvalIntent } from "./approval-intent.ts";
import { APPROVE_RUN_TOOL, GET_RUN_TOOL, LIST_RUNS_TOOL } from "./chat-tools.ts";
import { scoreTools, type ToolScore } from "./tool-match.ts";

type JsonSchema = { readonly [key: string]: unknown };

/** Below this match score the offline chat says it is unsure and asks. */
export const OFFLINE_MIN_SCORE = 0.2;
const RUN_TOOLS = new Set([GET_RUN_TOOL, LIST_RUNS_TOOL, APPROVE_RUN_TOOL]);
const MODEL_NAME = "offline-chat";

export function textOf(message: BaseMessage): string {
  return typeof message.content === "string" ? message.content : JSON.stringify(message.content);
}

const isHuman = (message: BaseMessage) => message.type === "human";
const isTool = (message: BaseMessage) => message.type === "tool";
const awaitingOf = (message: BaseMessage): string | undefined => {
  const value = (message.response_metadata as Record<string, unknown> | undefined)?.awaiting;
  return typeof value === "string" ? value : undefined;
};

function reply(content: string, metadata: Record<string, unknown> = {}): AIMessage {
  return new AIMessage({ content, response_metadata: { model_name: MODEL_NAME, ...metadata } });
}

function callTool(name: string, args: Record<string, unknown>, confidence: number | null) {
  return new AIMessage({
    content: "",
    tool_calls: [{ id: `offline_${Date.now()}`, name, args, type: "tool_call" }],
    response_metadata: { model_name: MODEL_NAME, confidence },
  });
}

/** The latest status of each run the conversation's tool results mention, in order. */
function runStatuses(messages: readonly BaseMessage[]): Map<string, string> {
  const statuses = new Map<string, string>();
  for (const message of messages.filter(isTool)) {
    const match = /^run (\S+) \([^)]*\): (\w+)/.exec(textOf(message));
    if (match?.[1] !== undefined && match[2] !== undefined) {
      statuses.delete(match[1]);
      statuses.set(match[1], match[2]);
    }
  }
  return statuses;
}

function pendingRun(messages: readonly BaseMessage[]): string | undefined {
  const waiting = [...runStatuses(messages)].filter(([, status]) => status === "waiting");
  return waiting.at(-1)?.[0];
}

/** The person's messages of the request being gathered: since the last answered one. */
function requestMessages(messages: readonly BaseMessage[]): string[] {
  const texts: string[] = [];
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index];
    if (message === undefined) break;
    if (isHuman(message)) texts.unshift(textOf(message));
    else if (message.type === "system") continue;
    else if (message.type !== "ai" || awaitingOf(message) === undefined) break;
  }
  return texts;
}

/** A pattern shaped like a schema's example ("e.g. C-1001" → letters, dash, digits). */
function exampleShape(property: JsonSchema): RegExp | undefined {
  const description = typeof property.description === "string" ? property.description : "";
  const example = /e\.g\.,?\s*([A-Za-z0-9][\w-]*\d[\w-]*)/.exec(description)?.[1];
  if (example === undefined) return undefined;
  const shape = example
    .replaceAll(/[A-Za-z]+/g, "[A-Za-z]+")
    .replaceAll(/\d+/g, "\\d+")
    .replaceAll("-", "-");
  return new RegExp(`(?<![\\w-])${shape}(?![\\w-])`);
}

interface Filled {
  readonly args: Record<string, unknown>;
  readonly missing: readonly { readonly key: string; readonly description: string }[];
}

/** Fills a workflow's arguments from the request: shaped fields by their example, the rest from the text. */
function fill(tool: ToolDefinition, texts: readonly string[]): Filled {
  const parameters = tool.function.parameters as JsonSchema;
  const properties = (parameters.properties ?? {}) as Record<string, JsonSchema>;
  const required = Array.isArray(parameters.required) ? (parameters.required as string[]) : [];
  const shapes = Object.entries(properties).flatMap(([key, property]) => {
    const shape = exampleShape(property);
    return shape === undefined ? [] : [{ key, shape }];
  });
  const answersOnly = (text: string) =>
    shapes.some(({ shape }) => new RegExp(`^\\s*${shape.source}\\s*[.!]?\\s*$`).test(text));
  const freeText = texts.filter((text) => !answersOnly(text)).join("\n");
  const args = fillArguments(parameters, freeText);
  for (const { key, shape } of shapes) {
    const found = texts.map((text) => shape.exec(text)?.[0]).find(Boolean);
    if (found === undefined) delete args[key];
    else args[key] = found;
  }
  const missing = required
    .filter((key) => key !== "rationale" && (args[key] === undefined || args[key] === ""))
    .map((key) => ({ key, description: String(properties[key]?.description ?? key) }));
  return { args, missing };
}

function unsure(scores: readonly ToolScore[], tools: readonly ToolDefinition[]): AIMessage {
  const best = scores[0];
  const guess = best ? ` (closest: ${best.name}, score ${best.score.toFixed(2)})` : "";
  const offered = tools
    .map((tool) => `- ${tool.function.name}: ${tool.function.description?.split(/\n|(?<=\.) /)[0]}`)
    .join("\n");
  return reply(
    `I'm not sure which workflow fits that${guess}. I can run:\n${offered}\nTell me a little more about what you need, or name the workflow.`,
    { unsure: true },
  );
}

/** The reply to a new message from the person (offline: rules and word overlap, no LLM). */
export function answerPerson(messages: readonly BaseMessage[], tools: readonly ToolDefinition[]) {
  const texts = requestMessages(messages);
  const latest = texts.at(-1) ?? "";
  const intent = approvalIntent(latest);
  const pending = pendingRun(messages);
  if (intent !== undefined) {
    if (pending === undefined)
      return reply("Nothing in this conversation is waiting for your approval.");
    const rationale = `offline: the person answered "${latest.trim()}" to the pending approval of run ${pending}`;
    return callTool(APPROVE_RUN_TOOL, { runId: pending, decision: intent, rationale }, 1);
  }
  const workflows = tools.filter((tool) => !RUN_TOOLS.has(tool.function.name));
  const previous = messages.filter((message) => message.type === "ai").at(-1);
  const awaiting = previous === undefined ? undefined : awaitingOf(previous);
  const scores = scoreTools(texts.join("\n"), workflows);
  const chosenName = awaiting ?? scores[0]?.name;
  const chosenScore = awaiting === undefined ? (scores[0]?.score ?? 0) : 1;
  const chosen = workflows.find((tool) => tool.function.name === chosenName);
  if (chosen === undefined || chosenScore < OFFLINE_MIN_SCORE) return unsure(scores, workflows);
  const { args, missing } = fill(chosen, texts);
  if (missing.length > 0) {
    const asked = missing.map((field) => `${field.key} (${field.description})`).join(", ");
    return reply(`To run ${chosen.function.name} I need: ${asked}. What is it?`, {
      awaiting: chosen.function.name,
    });
  }
  const rationale = `offline: ${chosen.function.name} matches the request best (score ${chosenScore.toFixed(2)})`;
  return callTool(chosen.function.name, { ...args, rationale }, Math.min(1, chosenScore));
}

function lead(text: string, isError: boolean): string {
  if (isError) return `That did not work: ${text}`;
  const match = /^run (\S+) \(([^)]*)\): (\w+)/.exec(text);
  if (match === null) return text;
  const [, runId, workflow, status] = match;
  if (status === "waiting")
    return `I ran ${workflow} (run ${runId}). It is waiting for your approval. Reply "approve" to go ahead or "reject" to stop.\n\n${text}`;
  return `${workflow} run ${runId} is ${status}.\n\n${text}`;
}

/** The reply once the tool results are in: what ran, its status and its decision path. */
export function reportResults(messages: readonly BaseMessage[]): AIMessage {
  const lastHuman = messages.findLastIndex(isHuman);
  const results = messages.slice(lastHuman + 1).filter(isTool);
  const parts = results.map((message) =>
    lead(textOf(message), (message as { status?: unknown }).status === "error"),
  );
  return reply(parts.join("\n\n") || "Done.");
}
