/**
 * Agent steps: one LangGraph node running its own tool-calling loop.
 *
 * Replays. A node re-runs from its first line when it resumes after an
 * approval `interrupt()` or is recovered after a crash. The loop stays correct
 * because every model call and every tool execution runs as a LangGraph `task`
 * inside the node: its result is written to the checkpoint as it completes, and
 * on a re-run the same task (same node, step and call order) returns that
 * result instead of running again. So the conversation is rebuilt exactly,
 * without asking the model again; approval answers come back from LangGraph's
 * stored resume values, in order; decisions are made again in the same order
 * with the same keys, so the store overwrites instead of duplicating. Write and
 * irreversible tools also go through the effect journal, which still holds if
 * a crash lost a task's result after the effect was performed.
 */
import type { ToolDefinition as ModelToolDefinition } from "@langchain/core/language_models/base";
import { type BaseMessage, HumanMessage, SystemMessage } from "@langchain/core/messages";
import { isGraphBubbleUp, task } from "@langchain/langgraph";
import { extractJson } from "../contracts/decider.ts";
import type { EffectClass } from "../contracts/effect-class.ts";
import { ErrorCode, errorMessage, SignalboxError } from "../errors.ts";
import { FINAL_ANSWER_TOOL, type Tool } from "../tools/define-tool.ts";
import {
  type AgentModel,
  type ModelTurn,
  takeTurn,
  toAgentModel,
  turnMessage,
} from "../tools/model-turn.ts";
import { objectJsonSchema, splitRationale, toModelTool } from "../tools/tool-schema.ts";
import { describeIssues } from "../validation.ts";
import { beginNodeCall, type NodeCall, type NodeConfig, runNode } from "./node-call.ts";
import {
  declineToolCall,
  type HandledToolCall,
  handleToolCall,
  type ToolCallScope,
} from "./tool-call.ts";
import type { AgentOptions, AgentToolCall, AgentTranscript } from "./types.ts";

type AnyState = Record<string, unknown>;
type Update = Record<string, unknown>;
type Options = AgentOptions<AnyState, Update, unknown>;

/** Model calls an agent may make per execution unless it says otherwise. */
export const DEFAULT_MAX_ITERATIONS = 6;

interface AgentSetup {
  readonly name: string;
  readonly options: Options;
  readonly tools: ReadonlyMap<string, Tool>;
  readonly model: AgentModel;
  readonly definitions: readonly ModelToolDefinition[];
  readonly maxIterations: number;
}

/** The allow-list as tools, names resolved through the agent's registry. */
export function resolveAgentTools(options: Pick<Options, "tools" | "registry">): Tool[] {
  return options.tools.map((entry) => {
    if (typeof entry !== "string") return entry;
    if (options.registry === undefined) {
      throw new SignalboxError(
        ErrorCode.WorkflowInvalid,
        `tool "${entry}" is listed by name but the agent has no registry; pass registry, or the tool itself`,
      );
    }
    return options.registry.get(entry);
  });
}

/** The effect classes of an agent's tools (names the registry does not know are skipped). */
export function agentEffects(options: Pick<Options, "tools" | "registry">): EffectClass[] {
  return options.tools.flatMap((entry) => {
    if (typeof entry !== "string") return [entry.effect];
    return options.registry?.has(entry) ? [options.registry.get(entry).effect] : [];
  });
}

function prepareAgent(name: string, options: Options): AgentSetup {
  const tools = new Map(resolveAgentTools(options).map((tool) => [tool.name, tool]));
  const definitions = [...tools.values()].map((tool) =>
    toModelTool(tool.name, tool.description, tool.parameters),
  );
  if (options.output !== undefined) {
    const parameters = objectJsonSchema(options.output);
    if (parameters === undefined) {
      throw new SignalboxError(
        ErrorCode.WorkflowInvalid,
        `agent "${name}": output must be a zod object schema`,
      );
    }
    const description = "Give your final answer. Call it on its own, once you are done.";
    definitions.push(toModelTool(FINAL_ANSWER_TOOL, description, parameters));
  }
  return {
    name,
    options,
    tools,
    model: toAgentModel(options.model ?? options.offlineModel),
    definitions,
    maxIterations: options.maxIterations ?? DEFAULT_MAX_ITERATIONS,
  };
}

function systemPrompt(setup: AgentSetup): string {
  const lines = [setup.options.instructions.trim(), ""];
  if (setup.tools.size > 0)
    lines.push(
      'Call a tool when it helps. Every tool call needs a "rationale" argument: one short sentence on why you call it now.',
    );
  lines.push(
    setup.options.output === undefined
      ? "When you have the answer, reply with it as plain text, without calling a tool."
      : `When you have the answer, call ${FINAL_ANSWER_TOOL} with it, on its own.`,
  );
  return lines.join("\n");
}

/** The node's own model, else the run's configured chat model, else its offline model. */
function modelFor(setup: AgentSetup, call: NodeCall): AgentModel {
  if (setup.options.model !== undefined || call.context.chat === undefined) return setup.model;
  return toAgentModel(call.context.chat);
}

/** Asks the model once, as a LangGraph task (see the file comment on replays). */
async function modelTurn(
  setup: AgentSetup,
  call: NodeCall,
  messages: readonly BaseMessage[],
  iteration: number,
): Promise<ModelTurn> {
  const snapshot = [...messages];
  const model = modelFor(setup, call);
  const turn = await task(`${setup.name}-model`, () =>
    takeTurn(model, snapshot, setup.definitions, call.signal, iteration),
  )();
  for (const report of turn.reports) call.decide({ ...report, node: call.node });
  return turn;
}

type Verdict =
  | { readonly done: true; readonly answer: unknown }
  | { readonly done: false; readonly problem?: string };

/** Whether the turn is the final answer: text without tool calls, or a valid `final_answer` call alone. */
function verdict(setup: AgentSetup, turn: ModelTurn): Verdict {
  const schema = setup.options.output;
  const [first, ...others] = turn.toolCalls;
  if (schema === undefined)
    return first === undefined ? { done: true, answer: turn.content } : { done: false };
  const check = (value: unknown): Verdict => {
    const parsed = schema.safeParse(value);
    return parsed.success
      ? { done: true, answer: parsed.data }
      : { done: false, problem: describeIssues(parsed.error.issues) };
  };
  if (first === undefined) {
    const answer = check(extractJson(turn.content));
    return answer.done ? answer : { done: false, problem: `no ${FINAL_ANSWER_TOOL} call` };
  }
  if (first.name === FINAL_ANSWER_TOOL && others.length === 0)
    return check(splitRationale(first.args).args);
  return { done: false };
}

/** Runs the turn's tool calls (a `final_answer` call that is not alone, or not valid, is sent back). */
async function runToolCalls(
  setup: AgentSetup,
  call: NodeCall,
  turn: ModelTurn,
  calls: AgentToolCall[],
  problem: string | undefined,
): Promise<HandledToolCall[]> {
  const scope: ToolCallScope = {
    agent: setup.name,
    call,
    tools: setup.tools,
    turn,
    decidedBy: modelFor(setup, call).decidedBy,
  };
  const handled: HandledToolCall[] = [];
  for (const [index, toolCall] of turn.toolCalls.entries()) {
    const position = { ordinal: calls.length + handled.length, first: index === 0 };
    if (toolCall.name === FINAL_ANSWER_TOOL && setup.options.output !== undefined) {
      const error =
        turn.toolCalls.length > 1
          ? `call ${FINAL_ANSWER_TOOL} on its own, after the other tools' results are in`
          : `the answer does not fit the schema: ${problem ?? "invalid"}`;
      handled.push(
        declineToolCall(scope, toolCall, position, { outcome: "invalid_arguments", error }),
      );
      continue;
    }
    handled.push(await handleToolCall(scope, toolCall, position));
  }
  return handled;
}

function limitReached(
  setup: AgentSetup,
  call: NodeCall,
  calls: readonly AgentToolCall[],
  last: ModelTurn | undefined,
) {
  const ran = calls.map((entry) => `${entry.tool} (${entry.outcome})`).join(", ") || "none";
  const asked = last?.toolCalls.map((toolCall) => toolCall.name).join(", ");
  const pending = asked ? `; its last reply asked for ${asked}, which was not run` : "";
  return new SignalboxError(
    ErrorCode.StepFailed,
    `agent "${call.node}" made ${setup.maxIterations} model calls (maxIterations) without a final answer; tool calls run: ${ran}${pending}. Raise maxIterations, sharpen its instructions or tools, or declare a fallback.`,
    { data: { node: call.node, maxIterations: setup.maxIterations, calls: calls.length } },
  );
}

/**
 * The tool-calling loop: model turn, tool calls, repeat until an answer or
 * the limit. Tool calls of the last allowed turn are not run: no model would
 * read their results, and the step fails anyway.
 */
async function runLoop(
  setup: AgentSetup,
  call: NodeCall,
  state: AnyState,
): Promise<{ answer: unknown; transcript: AgentTranscript }> {
  const messages: BaseMessage[] = [
    new SystemMessage(systemPrompt(setup)),
    new HumanMessage(setup.options.prompt(state)),
  ];
  const calls: AgentToolCall[] = [];
  let last: ModelTurn | undefined;
  for (let iteration = 1; iteration <= setup.maxIterations; iteration += 1) {
    const turn = await modelTurn(setup, call, messages, iteration);
    const result = verdict(setup, turn);
    if (result.done) return { answer: result.answer, transcript: { iterations: iteration, calls } };
    last = turn;
    if (iteration === setup.maxIterations) break;
    messages.push(turnMessage(turn));
    if (turn.toolCalls.length === 0) {
      const fix = `Give your final answer by calling ${FINAL_ANSWER_TOOL} with arguments that fit its schema (${result.problem ?? "invalid"}).`;
      messages.push(new HumanMessage(fix));
      continue;
    }
    for (const handled of await runToolCalls(setup, call, turn, calls, result.problem)) {
      calls.push(handled.record);
      messages.push(handled.message);
    }
  }
  throw limitReached(setup, call, calls, last);
}

async function runAgent(setup: AgentSetup, call: NodeCall, state: AnyState): Promise<Update> {
  const { options } = setup;
  try {
    const { answer, transcript } = await runLoop(setup, call, state);
    return (await options.result(state, answer, transcript)) ?? {};
  } catch (error) {
    if (options.fallback === undefined || isGraphBubbleUp(error)) throw error;
    const failure = error instanceof Error ? error : new Error(errorMessage(error));
    call.decide({
      node: call.node,
      kind: "fallback",
      options: [{ name: "fallback" }, { name: "fail" }],
      choice: "fallback",
      reason: `agent failed: ${failure.message}`,
      confidence: null,
      decidedBy: "rule",
    });
    return (await options.fallback(state, failure)) ?? {};
  }
}

/**
 * Builds the LangGraph node for an agent step: one node running its own
 * tool-calling loop over an allow-list of tools, each call logged as a `tool`
 * decision with the model's rationale and the outcome.
 *
 * @throws SignalboxError WORKFLOW_INVALID when a tool name is unknown or `output` is not an object schema
 * @example
 * ```ts
 * const node = createAgentNode("support", {
 *   instructions: "Answer the customer's question about their order.",
 *   tools: [lookupOrder],
 *   prompt: (state) => String(state.question),
 *   result: (_state, answer) => ({ reply: answer }),
 * });
 * ```
 */
export function createAgentNode(name: string, options: Options) {
  const setup = prepareAgent(name, options);
  return async (state: AnyState, config?: NodeConfig) => {
    const call = beginNodeCall(config, name);
    return runNode(call, async () => ({ update: await runAgent(setup, call, state) }));
  };
}
