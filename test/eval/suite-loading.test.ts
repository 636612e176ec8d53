import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findSuiteFile, listEvalSuites, loadEvalSuite } from "../../src/eval/load-suite.ts";
import { runEval } from "../../src/eval/run-eval.ts";
import { SqliteRunStore } from "../../src/store/sqlite-store.ts";
import { tempHome } from "../support/runtime.ts";

const repository = resolve(import.meta.dirname, "../..");
const { home, cleanup } = tempHome("signalbox-eval-load-");
afterAll(() => cleanup());

function writeJson(name: string, value: unknown): string {
  const file = join(home, name);
  writeFileSync(file, JSON.stringify(value));
  return file;
}

describe("loading suites", () => {
  it("finds the shipped suites by name, and any suite file by path", () => {
    const names = listEvalSuites(repository).map((suite) => suite.name);
    expect(names).toEqual(expect.arrayContaining(["banking77", "support-triage"]));
    expect(findSuiteFile("support-triage", repository)).toBe(
      join(repository, "evals/support-triage.ts"),
    );
    const file = writeJson("any.json", {});
    expect(findSuiteFile(file, "/")).toBe(file);
  });

  it("runs a TypeScript suite with its own workflow, function mappings and predicates", async () => {
    const suite = await loadEvalSuite(join(repository, "test/eval/fixtures/echo-suite.ts"));
    expect(suite.workflowName).toBe("echo");
    const store = new SqliteRunStore(join(home, "signalbox.db"));
    const result = await runEval({ suite, store }).finally(() => store.close());
    const cases = result.configs[0]?.cases ?? [];
    expect(cases.map((item) => [item.id, item.passed])).toEqual([
      ["echo-1", true],
      ["echo-2", true],
      ["echo-3", false],
    ]);
    expect(cases[2]?.failures).toEqual([
      "routes.pick: expected shout, got whisper [classifier 0.60]",
      'output.said: expected "QUIET PLEASE", got "quiet please"',
    ]);
    expect(result.configs[0]?.summary.nodes[0]?.tiers).toMatchObject({ rule: 1, classifier: 2 });
  });

  it("names each invalid field of a suite file", async () => {
    const file = writeJson("bad.json", { kind: "workflow", name: "bad name", dataset: 3 });
    await expect(loadEvalSuite(file)).rejects.toThrow(/name: .*; workflow: .*; dataset: /);
  });

  it("rejects a case whose expectation has an unknown field, naming the case", async () => {
    writeFileSync(
      join(home, "typo.jsonl"),
      `${JSON.stringify({ id: "t1", input: {}, expect: { route: {} } })}\n`,
    );
    const file = writeJson("typo.json", {
      kind: "workflow",
      name: "typo",
      workflow: "support_triage",
      dataset: "typo.jsonl",
    });
    const suite = await loadEvalSuite(file);
    await expect(suite.loadCases()).rejects.toThrow(/expectation of case "t1"/);
  });

  it("refuses an unknown shipped workflow and duplicate configuration names", async () => {
    const unknown = writeJson("unknown.json", {
      kind: "workflow",
      name: "u",
      workflow: "nope",
      dataset: "x.jsonl",
    });
    await expect(loadEvalSuite(unknown)).rejects.toThrow(
      /no workflow named "nope" for evals; shipped: support_triage; hosted: none/,
    );
    const twice = writeJson("twice.json", {
      kind: "workflow",
      name: "t",
      workflow: "support_triage",
      dataset: "x.jsonl",
      models: [
        { name: "a", model: "offline" },
        { name: "a", model: "offline" },
      ],
    });
    await expect(loadEvalSuite(twice)).rejects.toThrow(/two model configurations are named "a"/);
  });
});
