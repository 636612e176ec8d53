/**
 * The offline agent model: lets agent steps run with no LLM (demos, tests, CI,
 * air-gapped use). It is not a language model and does not pretend to be one:
 * it picks the tool whose name and description are closest to the request (the
 * lexical classifier), fills string arguments from the request text, calls one
 * tool, then answers from a template.
 */
import type { ToolDefinition } from "@langchain/core/language_models/base";
import {
  BaseChatModel,
  type BaseChatModelCallOptions,
  type BaseChatModelParams,
  type BindToolsInput,
} from "@langchain/core/language_models/chat_models";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { createLexicalClassifier, type LexicalClassifier } from "./lexical-classifier.ts";

/** The tool the agent offers for structured answers (see `FINAL_ANSWER_TOOL`). */
const FINAL_ANSWER = "final_answer";

/** One tool call of the conversation and the result it got. */
export interface OfflineToolResult {
  readonly tool: string;
  readonly args: Readonly<Record<string, unknown>>;
  readonly result: string;
  readonly failed: boolean;
}

/** What an answer template gets. */
export interface OfflineAnswerInput {
  /** The agent's request (its first human message). */
  readonly request: string;
  readonly results: readonly OfflineToolResult[];
}

/**
 * What a plan decides for the next turn: call one tool (its arguments and the
 * rationale to log), or answer (text, or the `final_answer` arguments).
 */
export type OfflinePlanStep =
  | {
      readonly call: string;
      readonly args: Readonly<Record<string, unknown>>;
      readonly rationale: string;
    }
  | { readonly answer: string | Record<string, unknown> };

export interface OfflineAgentModelOptions extends BaseChatModelParams {
  /** Below this similarity no tool is called and the template answers at once. Default 0.05. */
  readonly minScore?: number;
  /**
   * The final answer: text, or the `final_answer` arguments of an agent with an
   * output schema. Default: a sentence saying what was called and what it returned.
   */
  readonly answer?: (input: OfflineAnswerInput) => string | Record<string, unknown>;
  /**
   * A domain's own procedure, asked on every turn with the request and the results
   * so far (several tool calls in sequence, then an answer). `undefined` falls back to
   * the default: one tool by description similarity, then `answer`.
   */
  readonly plan?: (input: OfflineAnswerInput) => OfflinePlanStep | undefined;
}

export type OfflineAgentModelCallOptions = BaseChatModelCallOptions & {
  readonly tools?: readonly BindToolsInput[];
};

type JsonSchema = { readonly [key: string]: unknown };

function functionTools(tools: readonly BindToolsInput[] | undefined): ToolDefinition[] {
  return (tools ?? []).filter(
    (tool): tool is ToolDefinition =>
      typeof tool === "object" && tool !== null && (tool as ToolDefinition).type === "function",
  );
}

function textOf(message: BaseMessage): string {
  return typeof message.content === "string" ? message.content : JSON.stringify(message.content);
}

/** Every tool result of the conversation, paired with the call it answers. */
function toolResults(messages: readonly BaseMessage[]): OfflineToolResult[] {
  const calls = new Map<string, { name: string; args: Record<string, unknown> }>();
  const results: OfflineToolResult[] = [];
  for (const message of messages) {
    if (AIMessage.isInstance(message))
      for (const toolCall of message.tool_calls ?? [])
        calls.set(toolCall.id ?? "", { name: toolCall.name, args: toolCall.args });
    const toolCallId = (message as { tool_call_id?: unknown }).tool_call_id;
    if (message.type !== "tool" || typeof toolCallId !== "string") continue;
    const call = calls.get(toolCallId);
    const failed = (message as { status?: unknown }).status === "error";
    results.push({
      tool: call?.name ?? "unknown",
      args: call?.args ?? {},
      result: textOf(message),
      failed,
    });
  }
  return results;
}

const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/;
const URL_PATTERN = /https?:\/\/\S+/;
/** Identifiers, most telling first: "#5031", then "A-17", then any token with a digit. */
const IDENTIFIERS = [/#([\w-]*\d[\w-]*)/, /\b([A-Za-z]+[-_]?\d[\w-]*)/, /\b(\d[\w-]*)/];
/** A stand-alone number (not the digits of an identifier like "A-17"). */
const NUMBER = /(?<![\w-])-?\d+(?:\.\d+)?(?![\w-])/;

function stringFor(key: string, property: JsonSchema, text: string): string | undefined {
  const choices = Array.isArray(property.enum) ? (property.enum as unknown[]) : undefined;
  if (choices !== undefined) {
    const named = choices.find(
      (choice) => typeof choice === "string" && text.toLowerCase().includes(choice.toLowerCase()),
    );
    return typeof named === "string" ? named : undefined;
  }
  if (/e-?mail/i.test(key)) return EMAIL.exec(text)?.[0];
  if (/url|link/i.test(key)) return URL_PATTERN.exec(text)?.[0];
  if (/(^id$|id$|_id$|number|code|ref|sku)/i.test(key))
    return IDENTIFIERS.map((pattern) => pattern.exec(text)?.[1]).find(Boolean);
  return text;
}

/** Fills arguments from text: strings (by field name: ids, emails, links, enums, else the text), and required numbers. */
export function fillArguments(parameters: JsonSchema, text: string): Record<string, unknown> {
  const properties = (parameters.properties ?? {}) as Record<string, JsonSchema>;
  const required = Array.isArray(parameters.required) ? (parameters.required as string[]) : [];
  const args: Record<string, unknown> = {};
  for (const [key, property] of Object.entries(properties)) {
    if (key === "rationale") continue;
    const type = property.type;
    const value =
      type === "string" || Array.isArray(property.enum)
        ? stringFor(key, property, text)
        : (type === "number" || type === "integer") && required.includes(key)
          ? Number(NUMBER.exec(text)?.[0] ?? Number.NaN)
          : undefined;
    if (value !== undefined && !Number.isNaN(value)) args[key] = value;
  }
  return args;
}

/** `lookup_order` and `orderId` as words. */
function words(name: string): string {
  return name
    .replaceAll(/([a-z])([A-Z])/g, "$1 $2")
    .replaceAll(/[_-]+/g, " ")
    .toLowerCase();
}

/** The tool's argument names (its properties but the rationale), as words. */
function argumentWords(tool: ToolDefinition): string {
  const properties = (tool.function.parameters as JsonSchema).properties ?? {};
  return Object.keys(properties)
    .filter((key) => key !== "rationale")
    .map(words)
    .join(", ");
}

function defaultAnswer(input: OfflineAnswerInput): string {
  if (input.results.length === 0)
    return "Offline agent (no LLM): no tool matched this request closely enough, so nothing was done.";
  const done = input.results.map((entry) =>
    entry.failed
      ? `${entry.tool} failed (${entry.result})`
      : `${entry.tool} returned ${entry.result}`,
  );
  return `Offline agent (no LLM): ${done.join("; ")}.`;
}

/**
 * A chat model with no LLM behind it, for agent steps that must run offline.
 * Bind tools (`bindTools`) as with any chat model.
 *
 * @example
 * ```ts
 * const model = new OfflineAgentModel({ answer: ({ results }) => `Done: ${results.length} call(s)` });
 * ```
 */
export class OfflineAgentModel extends BaseChatModel<OfflineAgentModelCallOptions> {
  private readonly minScore: number;
  private readonly answer: (input: OfflineAnswerInput) => string | Record<string, unknown>;
  private readonly plan: OfflineAgentModelOptions["plan"];
  private readonly classifiers = new Map<string, LexicalClassifier>();

  constructor(options: OfflineAgentModelOptions = {}) {
    super(options);
    this.minScore = options.minScore ?? 0.05;
    this.answer = options.answer ?? defaultAnswer;
    this.plan = options.plan;
  }

  _llmType(): string {
    return "offline-agent";
  }

  override getName(): string {
    return "offline-agent";
  }

  override bindTools(tools: BindToolsInput[], options?: Partial<OfflineAgentModelCallOptions>) {
    return this.withConfig({ ...options, tools });
  }

  async _generate(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
  ): Promise<ChatResult> {
    const tools = functionTools(options.tools);
    const first = messages.find((message) => message.type === "human");
    const request = first === undefined ? "" : textOf(first);
    const results = toolResults(messages);
    const message =
      this.planned({ request, results }, tools) ??
      (results.length === 0 ? this.pickTool(request, tools) : undefined) ??
      this.finalAnswer({ request, results }, tools);
    const text = typeof message.content === "string" ? message.content : "";
    return { generations: [{ text, message }] };
  }

  /** The closest tool by name and description, with arguments filled from the request. */
  private pickTool(request: string, tools: readonly ToolDefinition[]): AIMessage | undefined {
    const candidates = tools.filter((tool) => tool.function.name !== FINAL_ANSWER);
    if (candidates.length === 0 || request.trim() === "") return undefined;
    const prediction = this.classifierFor(candidates).predict(request);
    if (prediction.confidence < this.minScore) return undefined;
    const chosen = candidates.find((tool) => tool.function.name === prediction.label);
    if (chosen === undefined) return undefined;
    const others = prediction.scores
      .slice(1, 3)
      .map((score) => `${score.label} ${score.score.toFixed(2)}`)
      .join(", ");
    const rationale = `offline: ${chosen.function.name} has the description closest to the request (score ${prediction.confidence.toFixed(2)}${others ? `; next: ${others}` : ""})`;
    const args = { ...fillArguments(chosen.function.parameters as JsonSchema, request), rationale };
    return new AIMessage({
      content: "",
      tool_calls: [{ id: "offline_call_1", name: chosen.function.name, args, type: "tool_call" }],
      response_metadata: { model_name: "offline-agent", confidence: prediction.confidence },
    });
  }

  /** The plan's next step, when there is a plan and it names a bound tool or answers. */
  private planned(input: OfflineAnswerInput, tools: readonly ToolDefinition[]) {
    const step = this.plan?.(input);
    if (step === undefined) return undefined;
    if ("answer" in step) return this.finalAnswer(input, tools, step.answer);
    const args = { ...step.args, rationale: `offline: ${step.rationale}` };
    const id = `offline_call_${input.results.length + 1}`;
    return new AIMessage({
      content: "",
      tool_calls: [{ id, name: step.call, args, type: "tool_call" }],
      response_metadata: { model_name: "offline-agent", confidence: null },
    });
  }

  private finalAnswer(
    input: OfflineAnswerInput,
    tools: readonly ToolDefinition[],
    given?: string | Record<string, unknown>,
  ): AIMessage {
    const answer = given ?? this.answer(input);
    const structured = tools.find((tool) => tool.function.name === FINAL_ANSWER);
    const metadata = { model_name: "offline-agent" };
    if (structured === undefined)
      return new AIMessage({
        content: typeof answer === "string" ? answer : JSON.stringify(answer),
        response_metadata: metadata,
      });
    const args =
      typeof answer === "string"
        ? fillArguments(structured.function.parameters as JsonSchema, answer)
        : answer;
    return new AIMessage({
      content: "",
      tool_calls: [{ id: "offline_answer", name: FINAL_ANSWER, args, type: "tool_call" }],
      response_metadata: metadata,
    });
  }

  private classifierFor(tools: readonly ToolDefinition[]): LexicalClassifier {
    const examples = tools.map((tool) => ({
      label: tool.function.name,
      text: `${words(tool.function.name)}. ${tool.function.description ?? ""}. ${argumentWords(tool)}`,
    }));
    const key = JSON.stringify(examples);
    let classifier = this.classifiers.get(key);
    if (classifier === undefined) {
      classifier = createLexicalClassifier(examples);
      this.classifiers.set(key, classifier);
    }
    return classifier;
  }
}
