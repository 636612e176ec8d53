import { ReducedValue, StateSchema, UntrackedValue } from "@langchain/langgraph";
import { z } from "zod";
import { appendDecisions, type DecisionRecord } from "../contracts/decision.ts";
import { mergeParallelResults, type ParallelResults } from "./parallel-node.ts";

const mergeRecords = <T>(current: Record<string, T>, update: Record<string, T>) => ({
  ...current,
  ...update,
});

/**
 * The LangGraph state of a workflow: its input, its own fields (each
 * optional, last write wins, validated on every update), its output, and
 * bookkeeping channels. `decisions` holds the log only for detached runs: a run
 * driven by the runtime keeps its log in the store and hands it to each node (see
 * `RunContext.decisionLog`), so its checkpoints stay the size of its own state and
 * no checkpoint depends on its ancestors (older ones can be pruned; issue 12).
 * With `inputInStore` the input is not in the checkpoints either (see `RunContext.runInput`).
 */
export function createWorkflowState(
  input: z.ZodType,
  output: z.ZodType,
  fields: z.ZodRawShape,
  options: { readonly inputInStore?: boolean } = {},
) {
  const own = Object.fromEntries(
    Object.entries(fields).map(([key, schema]) => [key, (schema as z.ZodType).optional()]),
  );
  return new StateSchema({
    ...own,
    // Untracked: held in memory for one invoke, never written to a checkpoint; after a
    // resume nodes get it from the run context (the runs row), so it is stored once.
    input: options.inputInStore ? new UntrackedValue(input, { guard: false }) : input,
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
    decisions: new ReducedValue(
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
