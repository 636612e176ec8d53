import { DeltaValue, ReducedValue, StateSchema } from "@langchain/langgraph";
import { z } from "zod";
import { appendDecisions, type DecisionRecord } from "./decision.ts";
import { mergeParallelResults, type ParallelResults } from "./parallel-node.ts";

const mergeRecords = <T>(current: Record<string, T>, update: Record<string, T>) => ({
  ...current,
  ...update,
});

/**
 * The LangGraph state of a workflow: its input, its own fields (each
 * optional, last write wins, validated on every update), its output, and
 * bookkeeping channels. Decisions only grow, so they live in a delta channel:
 * a checkpoint stores the new ones, not the whole list again.
 */
export function createWorkflowState(input: z.ZodType, output: z.ZodType, fields: z.ZodRawShape) {
  const own = Object.fromEntries(
    Object.entries(fields).map(([key, schema]) => [key, (schema as z.ZodType).optional()]),
  );
  return new StateSchema({
    ...own,
    input,
    output: output.optional(),
    routes: new ReducedValue(
      z.record(z.string(), z.unknown()).default(() => ({})),
      { reducer: mergeRecords },
    ),
    approvals: new ReducedValue(
      z.record(z.string(), z.unknown()).default(() => ({})),
      { reducer: mergeRecords },
    ),
    parallel: new ReducedValue(
      z.custom<ParallelResults>().default(() => ({})),
      {
        reducer: mergeParallelResults,
      },
    ),
    decisions: new DeltaValue(
      z.custom<DecisionRecord[]>().default(() => []),
      {
        inputSchema: z.custom<DecisionRecord[]>(),
        reducer: appendDecisions,
      },
    ),
  });
}

/** Names of the bookkeeping channels; user fields may not use them. */
export const RESERVED_FIELDS = [
  "input",
  "output",
  "routes",
  "approvals",
  "parallel",
  "decisions",
] as const;
