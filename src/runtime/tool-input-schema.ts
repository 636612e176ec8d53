import { z } from "zod";
import type { CompiledWorkflow } from "../graph/workflow.ts";

/**
 * The input schema of a workflow offered as a tool (an MCP tool, or a tool of the chat
 * agent): the workflow's own when it is an object (tools take objects), else the input
 * wrapped as `{ input }`.
 */
export function toolInputSchema(workflow: CompiledWorkflow): {
  schema: z.ZodType;
  unwrap: (args: unknown) => unknown;
} {
  if (workflow.inputSchema instanceof z.ZodObject)
    return { schema: workflow.inputSchema, unwrap: (args) => args };
  return {
    schema: z.object({ input: workflow.inputSchema }),
    unwrap: (args) => (args as { input: unknown }).input,
  };
}
