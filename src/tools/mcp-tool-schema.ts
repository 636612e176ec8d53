import type {
  CallToolResult,
  Tool as McpToolInfo,
  ToolAnnotations,
} from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { EffectClass } from "../contracts/effect-class.ts";
import { objectJsonSchema } from "./tool-schema.ts";

/** An MCP tool's input schema as zod, and whether it had to fall back to "any object". */
export interface ConvertedSchema {
  readonly schema: z.ZodType<Record<string, unknown>>;
  /** The server's own JSON Schema (without `$schema`): what the model is shown. */
  readonly json: Record<string, unknown>;
  readonly exact: boolean;
}

/** Any JSON object: for input schemas zod cannot express (if/then/else, `not`, …). */
const ANY_OBJECT = z.record(z.string(), z.unknown());

/**
 * Converts a server's JSON Schema to zod with `z.fromJSONSchema`. Schemas it
 * cannot express, or that do not describe an object, become "any object": the
 * model still sees the server's schema, and the server validates the arguments.
 */
export function inputSchemaOf(tool: Pick<McpToolInfo, "inputSchema">): ConvertedSchema {
  const { $schema: _ignored, ...json } = tool.inputSchema as Record<string, unknown>;
  const shown = { ...json, type: "object" };
  try {
    const schema = z.fromJSONSchema(shown as z.core.JSONSchema.JSONSchema);
    if (objectJsonSchema(schema) !== undefined)
      return { schema: schema as z.ZodType<Record<string, unknown>>, json: shown, exact: true };
  } catch {
    // Not expressible in zod: fall through to "any object".
  }
  return { schema: ANY_OBJECT, json: shown, exact: false };
}

/**
 * The effect class the annotations imply: `readOnlyHint` → read,
 * `destructiveHint: true` → irreversible, anything else → write.
 * Annotations are hints from the server; override them in the configuration
 * when you do not trust the server.
 */
export function effectOf(annotations: ToolAnnotations | undefined): EffectClass {
  if (annotations?.readOnlyHint === true) return "read";
  if (annotations?.destructiveHint === true) return "irreversible";
  return "write";
}

type ContentBlock = CallToolResult["content"][number];

function blockValue(block: ContentBlock): unknown {
  switch (block.type) {
    case "text":
      return block.text;
    case "image":
    case "audio":
      return { type: block.type, mimeType: block.mimeType, bytes: block.data.length };
    case "resource_link":
      return { type: block.type, uri: block.uri, name: block.name };
    case "resource":
      return "text" in block.resource
        ? { type: block.type, uri: block.resource.uri, text: block.resource.text }
        : { type: block.type, uri: block.resource.uri, mimeType: block.resource.mimeType };
  }
}

/** The text of a result's text blocks, one per line. */
export function resultText(result: CallToolResult): string {
  return result.content
    .flatMap((block) => (block.type === "text" ? [block.text] : []))
    .join("\n")
    .trim();
}

/**
 * What a successful call gives the agent, as plain JSON (it is kept in the
 * checkpoint and the effect journal): the structured content when the server
 * sent some, else the text, else the content blocks (binary data left out).
 */
export function resultValue(result: CallToolResult): unknown {
  if (result.structuredContent !== undefined) return result.structuredContent;
  const blocks = result.content;
  if (blocks.every((block) => block.type === "text")) return resultText(result);
  return blocks.map(blockValue);
}
