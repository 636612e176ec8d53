import { z } from "zod";
import { defineWorkflow } from "../../src/graph/workflow.ts";

/** A workflow whose input has the field kinds users declare: a bounded string, an enum, an optional int. */
export const fuzzWorkflow = defineWorkflow({
  name: "fuzz_echo",
  description: "Echoes a note",
  version: "1",
  input: z.strictObject({
    note: z.string().min(1).max(200),
    kind: z.enum(["a", "b"]),
    count: z.number().int().min(0).max(10).optional(),
  }),
  output: z.object({ note: z.string() }),
})
  .step("say", { run: (state) => ({ output: { note: state.input.note } }) })
  .compile();

/** The field names of its input, which a rejection must name. */
export const FUZZ_FIELDS = ["note", "kind", "count"];
