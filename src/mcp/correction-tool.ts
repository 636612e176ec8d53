import { z } from "zod";
import { recordCorrection } from "../analytics/corrections.ts";
import { summarizeRun } from "../analytics/run-result.ts";
import { clientLabel, type McpContext } from "./mcp-context.ts";
import { runToolResult, toolError } from "./tool-result.ts";

/** The name of the run tool through which a reviewer corrects a route decision (issue 17). */
export const CORRECTION_TOOL_NAME = "correct_decision";

/**
 * `correct_decision`: records a reviewer's verdict on a route decision as a
 * `human` decision linked to the original; the run is returned with its
 * narrative, which now says where it should have gone.
 */
export function registerCorrectDecision(context: McpContext): void {
  context.server.registerTool(
    CORRECTION_TOOL_NAME,
    {
      title: "Correct a route decision",
      description:
        "Mark a run's route decision as wrong and give the branch it should have taken. Recorded as a human decision linked to the original (the run does not change); counted in the correction rate and exported as training data for the route's classifier.",
      inputSchema: z.object({
        runId: z.string().min(1).describe("The run id"),
        node: z
          .string()
          .min(1)
          .describe("The route node whose decision was wrong, e.g. classify_intent"),
        branch: z.string().min(1).describe("The branch it should have taken"),
        note: z.string().max(2000).optional().describe("Why, in a sentence"),
      }),
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
    },
    async (args) => {
      try {
        await recordCorrection(context.runtime.store, { ...args, by: clientLabel(context) });
        return runToolResult(summarizeRun(await context.runtime.get(args.runId)));
      } catch (error) {
        return toolError(error);
      }
    },
  );
}
