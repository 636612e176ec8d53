import type { ToolDefinition as ModelToolDefinition } from "@langchain/core/language_models/base";
import { z } from "zod";

/** The argument every tool call carries for the log: the model's one-sentence reason. */
export const RATIONALE_FIELD = "rationale";

const RATIONALE_SCHEMA = {
  type: "string",
  description: "One short sentence: why you are calling this tool now (it is logged).",
};

/** The JSON Schema of an object schema (no `$schema` key); undefined when it is not an object. */
export function objectJsonSchema(schema: z.ZodType): Record<string, unknown> | undefined {
  let json: Record<string, unknown>;
  try {
    json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<
      string,
      unknown
    >;
  } catch {
    return undefined;
  }
  const { $schema: _ignored, ...rest } = json;
  return rest.type === "object" ? rest : undefined;
}

/** True when a zod schema describes a JSON object (what tool arguments and answers must be). */
export function isObjectSchema(schema: z.ZodType): boolean {
  return objectJsonSchema(schema) !== undefined;
}

/** A tool's arguments schema as the model sees it: its own fields plus a required `rationale`. */
export function withRationale(json: Record<string, unknown>): Record<string, unknown> {
  const properties = (json.properties ?? {}) as Record<string, unknown>;
  const required = Array.isArray(json.required) ? (json.required as string[]) : [];
  return {
    ...json,
    properties: { ...properties, [RATIONALE_FIELD]: RATIONALE_SCHEMA },
    required: [...required.filter((key) => key !== RATIONALE_FIELD), RATIONALE_FIELD],
  };
}

/** Separates the model's rationale from the arguments the tool itself takes. */
export function splitRationale(args: Readonly<Record<string, unknown>>): {
  readonly rationale: string | undefined;
  readonly args: Record<string, unknown>;
} {
  const { [RATIONALE_FIELD]: rationale, ...rest } = args;
  const text =
    typeof rationale === "string" && rationale.trim() !== "" ? rationale.trim() : undefined;
  return { rationale: text, args: rest };
}

/** The OpenAI-format function definition LangChain's `bindTools` accepts from every provider. */
export function toModelTool(
  name: string,
  description: string,
  parameters: Record<string, unknown>,
): ModelToolDefinition {
  return { type: "function", function: { name, description, parameters } };
}
