import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { resolveRunId } from "../../src/cli/run-id.ts";
import { loadConfig } from "../../src/config/load-config.ts";
import { isSignalboxError } from "../../src/errors.ts";
import { openTestRuntime, tempHome } from "../support/runtime.ts";
import { anyJson, awkwardText, fuzzSettings } from "./fuzz-settings.ts";
import { fuzzWorkflow } from "./fuzz-workflow.ts";

const temp = tempHome("signalbox-fuzz-config-");
const { runtime } = openTestRuntime(temp.home, [fuzzWorkflow]);
afterAll(async () => {
  await runtime.close();
  temp.cleanup();
});

const KEYS = ["workflows", "tools", "mcpServers", "model", "fallbackModel", "store", "server"];
const configValue = fc.oneof(
  fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 10 })), anyJson, {
    maxKeys: 4,
  }),
  anyJson,
);

describe("config loading (fuzz)", () => {
  it("a config that is not valid is CONFIG_INVALID naming the file and every bad key", async () => {
    let file = 0;
    await fc.assert(
      fc.asyncProperty(configValue, async (value) => {
        file += 1;
        const path = join(temp.home, `signalbox.config.${file}.mjs`);
        writeFileSync(path, `export default ${JSON.stringify(value)};\n`);
        const outcome = await loadConfig({ path, cwd: temp.home, environment: {} }).then(
          (loaded) => ({ loaded }),
          (error: unknown) => ({ error }),
        );
        if ("loaded" in outcome) return; // e.g. { workflows: [] }
        expect(isSignalboxError(outcome.error, "CONFIG_INVALID"), String(outcome.error)).toBe(true);
        const message = (outcome.error as Error).message;
        expect(message).toContain(path);
        const issues = (outcome.error as { data: { issues?: { path: unknown[] }[] } }).data.issues;
        for (const issue of issues ?? [])
          expect(message).toContain(issue.path.length === 0 ? "(root)" : issue.path.join("."));
      }),
      fuzzSettings(Math.max(50, Math.floor(fuzzSettings().numRuns / 2))),
    );
  });
});

describe("run ids and prefixes (fuzz)", () => {
  it("a text names a run only when it is its id or a unique prefix of 6+; else RUN_NOT_FOUND or INPUT_INVALID", async () => {
    const ids: string[] = [];
    for (let index = 0; index < 4; index += 1)
      ids.push((await runtime.start("fuzz_echo", { note: "x", kind: "a" })).id);
    const prefixes = fc
      .tuple(fc.constantFrom(...ids), fc.nat(36))
      .map(([id, length]) => id.slice(0, length));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(prefixes, awkwardText, fc.string({ maxLength: 40 })),
        async (text) => {
          const matching = ids.filter((id) => id.startsWith(text));
          const outcome = await resolveRunId(runtime.store, text).then(
            (id) => ({ id }),
            (error: unknown) => ({ error }),
          );
          if ("id" in outcome) {
            expect(ids).toContain(outcome.id);
            expect(outcome.id === text || (text.length >= 6 && matching.length === 1)).toBe(true);
            return;
          }
          const error = outcome.error;
          if (matching.length > 1 && text.length >= 6)
            expect(isSignalboxError(error, "INPUT_INVALID"), String(error)).toBe(true);
          else expect(isSignalboxError(error, "RUN_NOT_FOUND"), String(error)).toBe(true);
        },
      ),
      fuzzSettings(),
    );
  });
});
