import type { Logger } from "pino";
import type { z } from "zod";
import type { EffectClass } from "../contracts/effect-class.ts";
import { ErrorCode, SignalboxError } from "../errors.ts";
import { RateLimiter } from "../models/rate-limiter.ts";
import { objectJsonSchema, RATIONALE_FIELD, withRationale } from "./tool-schema.ts";

/** The tool name reserved for an agent's structured final answer. */
export const FINAL_ANSWER_TOOL = "final_answer";

/** Tool names: what every chat API and MCP client accepts. */
const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** What a tool's `run` gets besides its input. */
export interface ToolContext {
  readonly runId: string;
  /** The agent node calling the tool. */
  readonly node: string;
  readonly dryRun: boolean;
  readonly logger: Logger;
  /** Unique per call (or per the tool's own key): pass it downstream so the other system can deduplicate. */
  readonly idempotencyKey: string;
  /** The model's id for this call. */
  readonly toolCallId: string;
  readonly signal: AbortSignal | undefined;
}

/** At most this many performed calls per minute, per process; further calls wait. */
export interface ToolRateLimit {
  readonly perMinute: number;
}

/** What {@link defineTool} takes. */
export interface ToolDefinition<TInput extends Record<string, unknown>, TOutput> {
  /** 1–64 letters, digits, `_`, `-`; the name the model calls it by. */
  readonly name: string;
  /** Good enough for a model (and the offline agent) to decide when to call it. */
  readonly description: string;
  /** An object schema; model-supplied arguments are validated with it before `run`. */
  readonly input: z.ZodType<TInput>;
  /** When given, results are validated with it; an invalid result is an error result. */
  readonly output?: z.ZodType<TOutput>;
  /** `write` and `irreversible` calls go through the effect journal and are planned in a dry-run. */
  readonly effect: EffectClass;
  /** A business key for the journal (e.g. the order id), so the same call is performed once per run. */
  readonly idempotencyKey?: (input: TInput) => string;
  readonly rateLimit?: ToolRateLimit;
  /** The run pauses for a human approval before such a call executes. */
  readonly requiresApproval?: boolean | ((input: TInput) => boolean);
  readonly run: (input: TInput, context: ToolContext) => Promise<TOutput> | TOutput;
}

/**
 * A defined tool, ready for an agent's allow-list. Methods (not function
 * properties) so that any `Tool<X, Y>` fits where a plain `Tool` is expected.
 */
export interface Tool<TInput = unknown, TOutput = unknown> {
  readonly name: string;
  readonly description: string;
  readonly input: z.ZodType<TInput>;
  readonly output: z.ZodType<TOutput> | undefined;
  readonly effect: EffectClass;
  readonly rateLimit: ToolRateLimit | undefined;
  /** JSON Schema of the arguments as sent to the model: the input plus a required `rationale`. */
  readonly parameters: Record<string, unknown>;
  /** Shared by every run in this process; undefined without a rate limit. */
  readonly limiter: RateLimiter | undefined;
  /** The tool's own journal key for this input, if it declares one. */
  businessKey(input: TInput): string | undefined;
  needsApproval(input: TInput): boolean;
  run(input: TInput, context: ToolContext): Promise<TOutput>;
}

function definitionProblems(definition: ToolDefinition<Record<string, unknown>, unknown>) {
  const problems: string[] = [];
  if (!TOOL_NAME.test(definition.name))
    problems.push('the name must be 1-64 letters, digits, "_" or "-"');
  if (definition.name === FINAL_ANSWER_TOOL)
    problems.push(`"${FINAL_ANSWER_TOOL}" is reserved for agents' structured answers`);
  if (definition.description.trim() === "")
    problems.push("give it a description: the model reads it to decide when to call it");
  const perMinute = definition.rateLimit?.perMinute;
  if (perMinute !== undefined && !(Number.isInteger(perMinute) && perMinute >= 1))
    problems.push("rateLimit.perMinute must be a whole number of at least 1");
  return problems;
}

/**
 * Defines a tool once: schema, description, effect class, limits and approval.
 * Agents get it through their allow-list; the model sees its JSON Schema plus a
 * required `rationale` argument, which is logged and stripped before `run`.
 *
 * @throws SignalboxError WORKFLOW_INVALID when the name, description, input schema or limit is unusable
 * @example
 * ```ts
 * const lookupOrder = defineTool({
 *   name: "lookup_order",
 *   description: "Finds an order by its id and returns its status",
 *   input: z.object({ orderId: z.string() }),
 *   effect: "read",
 *   run: async ({ orderId }) => ({ orderId, status: "shipped" }),
 * });
 * ```
 */
export function defineTool<TInput extends Record<string, unknown>, TOutput>(
  definition: ToolDefinition<TInput, TOutput>,
): Tool<TInput, TOutput> {
  const generic = definition as unknown as ToolDefinition<Record<string, unknown>, unknown>;
  const problems = definitionProblems(generic);
  const json = objectJsonSchema(definition.input);
  if (json === undefined) problems.push("input must be a zod object schema");
  if (json !== undefined && RATIONALE_FIELD in ((json.properties ?? {}) as object))
    problems.push(`input must not have a "${RATIONALE_FIELD}" field: it is added for the model`);
  if (problems.length > 0 || json === undefined) {
    throw new SignalboxError(
      ErrorCode.WorkflowInvalid,
      `tool "${definition.name}" is invalid: ${problems.join("; ")}.`,
      { data: { problems } },
    );
  }
  const parameters = withRationale(json);
  const { requiresApproval, idempotencyKey } = definition;
  return {
    name: definition.name,
    description: definition.description,
    input: definition.input,
    output: definition.output,
    effect: definition.effect,
    rateLimit: definition.rateLimit,
    parameters,
    limiter: definition.rateLimit
      ? new RateLimiter({ requestsPerMinute: definition.rateLimit.perMinute })
      : undefined,
    businessKey: (input) => idempotencyKey?.(input),
    needsApproval: (input) =>
      typeof requiresApproval === "function" ? requiresApproval(input) : requiresApproval === true,
    run: async (input, context) => definition.run(input, context),
  };
}

/** True for tools whose calls touch the world (journaled, planned in a dry-run). */
export function isWriteTool(tool: Pick<Tool, "effect">): boolean {
  return tool.effect === "write" || tool.effect === "irreversible";
}
