/**
 * Workflows several MCP tests serve: \`lookup\` reads a value (a read effect), \`broken\`
 * always fails in its one step.
 */
import { z } from "zod";
import { defineWorkflow } from "../../src/graph/workflow.ts";

export const lookup = defineWorkflow({
  name: "lookup",
  description: "Reads a value",
  version: "1",
  input: z.object({ key: z.string() }),
  output: z.object({ value: z.string() }),
})
  .step("read", { effect: "read", run: (state) => ({ output: { value: `v-${state.input.key}` } }) })
  .compile();

export const broken = defineWorkflow({
  name: "broken",
  description: "Always fails",
  version: "1",
  input: z.object({}),
  output: z.object({ never: z.boolean() }),
})
  .step("explode", {
    run: () => {
      throw new Error("the disk is on fire");
    },
  })
  .compile();
