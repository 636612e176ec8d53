import { Readable } from "node:stream";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseInput } from "../../src/cli/input.ts";
import { isSignalboxError } from "../../src/errors.ts";
import { anyJson, awkwardText, fuzzSettings } from "./fuzz-settings.ts";

describe("signalbox run --input (fuzz)", () => {
  it("JSON text parses to the same value; anything else is INPUT_INVALID naming --input", async () => {
    const text = fc.oneof(
      anyJson.map((value) => JSON.stringify(value)),
      awkwardText,
    );
    await fc.assert(
      fc.asyncProperty(text, async (input) => {
        if (input.startsWith("@")) return; // a file name: covered by the CLI tests
        const outcome = await parseInput(input, Readable.from([])).then(
          (value) => ({ value }),
          (error: unknown) => ({ error }),
        );
        if ("value" in outcome) {
          expect(outcome.value).toEqual(JSON.parse(input));
          return;
        }
        expect(isSignalboxError(outcome.error, "INPUT_INVALID")).toBe(true);
        expect((outcome.error as Error).message).toMatch(/^--input is not valid JSON/);
      }),
      fuzzSettings(),
    );
  });

  it("reads standard input with @-, with the same rules", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          anyJson.map((value) => JSON.stringify(value)),
          awkwardText,
        ),
        async (input) => {
          const outcome = await parseInput("@-", Readable.from([input])).then(
            (value) => ({ value }),
            (error: unknown) => ({ error }),
          );
          if ("error" in outcome)
            expect((outcome.error as Error).message).toMatch(
              /^--input \(standard input\) is not valid JSON/,
            );
          else expect(outcome.value).toEqual(JSON.parse(input));
        },
      ),
      fuzzSettings(),
    );
  });
});
