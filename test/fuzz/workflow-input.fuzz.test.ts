import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { isSignalboxError } from "../../src/errors.ts";
import { openTestRuntime, tempHome } from "../support/runtime.ts";
import { anyJson, fuzzSettings } from "./fuzz-settings.ts";
import { FUZZ_FIELDS, fuzzWorkflow } from "./fuzz-workflow.ts";

const temp = tempHome("signalbox-fuzz-input-");
const { runtime } = openTestRuntime(temp.home, [fuzzWorkflow]);
afterAll(async () => {
  await runtime.close();
  temp.cleanup();
});

/** Inputs near the schema: its own keys with any values, and stray keys. */
const nearInput = fc.dictionary(
  fc.oneof(fc.constantFrom(...FUZZ_FIELDS), fc.string({ maxLength: 12 })),
  fc.oneof(anyJson, fc.constantFrom("a", "b"), fc.integer({ min: -2, max: 12 })),
  { maxKeys: 5 },
);

describe("workflow input validation (fuzz)", () => {
  it("accepts valid input; refuses the rest with INPUT_INVALID naming the field, storing nothing", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(nearInput, anyJson), async (input) => {
        const before = (await runtime.list({ limit: 100_000 })).length;
        const outcome = await runtime.start("fuzz_echo", input).then(
          (run) => ({ run }),
          (error: unknown) => ({ error }),
        );
        const after = (await runtime.list({ limit: 100_000 })).length;
        if ("run" in outcome) {
          expect(outcome.run.status).toBe("succeeded");
          expect(after).toBe(before + 1);
          return;
        }
        expect(isSignalboxError(outcome.error, "INPUT_INVALID"), String(outcome.error)).toBe(true);
        const message = (outcome.error as Error).message;
        expect(message).toMatch(/^input of workflow "fuzz_echo" is (invalid|too large)/);
        // Names a field of the schema, an unknown key, or the root when the shape is wrong.
        const issues = (outcome.error as { data: { issues?: { path: unknown[] }[] } }).data.issues;
        for (const issue of issues ?? [])
          expect(message).toContain(issue.path.length === 0 ? "(root)" : issue.path.join("."));
        expect(after).toBe(before);
      }),
      fuzzSettings(),
    );
  });
});
