/**
 * The layers of src/ (issue 10), checked with dependency-cruiser and the repo's own
 * `.dependency-cruiser.cjs` (also run by `npm run check`). This test guards the check
 * itself: it must read every module of src/ (a parser that reads none finds no
 * violation either), find nothing wrong there, and name every rule broken in a small
 * tree that breaks them all. No exceptions are listed.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { cruise, type ICruiseResult } from "dependency-cruiser";
import extractDepcruiseOptions from "dependency-cruiser/config-utl/extract-depcruise-options";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../fixtures/child-process.ts";

const CONFIG = join(REPO_ROOT, ".dependency-cruiser.cjs");

async function cruiseSrc(baseDir: string): Promise<ICruiseResult> {
  const options = await extractDepcruiseOptions(CONFIG);
  const { output } = await cruise(["src"], { ...options, baseDir });
  if (typeof output === "string") throw new Error(`expected a cruise result, got: ${output}`);
  return output;
}

async function sourceFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** One import per rule, each breaking it (paths under src/). */
const BREAKING_TREE: Record<string, string> = {
  "index.ts": 'export * from "./cli/main.ts";',
  "errors.ts": 'export { a } from "./graph/a.ts";',
  "cli/main.ts": 'export { d } from "../mcp/d.ts";',
  "graph/a.ts": 'import { b } from "../models/b.ts";\nexport const a = b;',
  "graph/i.ts": 'export { j } from "../store/j.ts";',
  "models/b.ts": 'import type { a } from "../graph/a.ts";\nexport const b = 1 as typeof a;',
  "chat/c.ts": 'export { d } from "../mcp/d.ts";',
  "mcp/d.ts": "export const d = 1;",
  "runtime/e.ts": 'export { f } from "../eval/f.ts";',
  "eval/f.ts": "export const f = 1;",
  "contracts/g.ts": 'export { b } from "../models/b.ts";',
  "tools/h.ts": 'export { a } from "../graph/a.ts";',
  "store/j.ts": "export const j = 1;",
  "store/k.ts": 'export { a as h } from "../tools/h.ts";',
};

describe("layers of src/", () => {
  const temporary: string[] = [];
  afterAll(async () => {
    for (const directory of temporary) await rm(directory, { recursive: true, force: true });
  });

  it("reads every module of src/ and finds no violation", async () => {
    const result = await cruiseSrc(REPO_ROOT);
    const files = await sourceFiles(join(REPO_ROOT, "src"));
    expect(result.summary.totalCruised).toBe(files.length);
    expect(result.summary.totalDependenciesCruised).toBeGreaterThan(files.length);
    expect(result.summary.violations).toEqual([]);
  });

  it("names every rule of the config when a tree breaks each of them", async () => {
    const root = await mkdtemp(join(tmpdir(), "signalbox-layers-"));
    temporary.push(root);
    for (const [path, text] of Object.entries(BREAKING_TREE)) {
      const file = join(root, "src", path);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, `${text}\n`);
    }
    const result = await cruiseSrc(root);
    const options = await extractDepcruiseOptions(CONFIG);
    const rules = (options.ruleSet?.forbidden ?? []).map((rule) => rule.name);
    const broken = new Set(result.summary.violations.map((violation) => violation.rule.name));
    expect([...broken].sort()).toEqual([...rules].sort());
    const moduleViolations = result.summary.violations
      .filter((violation) => violation.rule.name !== "no-folder-cycle")
      .map((violation) => `${violation.rule.name}: ${violation.from} -> ${violation.to}`)
      .sort();
    expect(moduleViolations).toEqual([
      "adapters-only-from-adapters: src/chat/c.ts -> src/mcp/d.ts",
      "contracts-lowest: src/contracts/g.ts -> src/models/b.ts",
      "core-not-upper: src/runtime/e.ts -> src/eval/f.ts",
      "graph-below-runtime-and-store: src/graph/i.ts -> src/store/j.ts",
      "models-below-tools-and-graph: src/models/b.ts -> src/graph/a.ts",
      "root-helpers-are-leaves: src/errors.ts -> src/graph/a.ts",
      "store-below-graph: src/store/k.ts -> src/tools/h.ts",
      "tools-below-graph: src/tools/h.ts -> src/graph/a.ts",
    ]);
    const cycles = result.summary.violations
      .filter((violation) => violation.rule.name === "no-folder-cycle")
      .map((violation) => [violation.from, ...(violation.cycle ?? []).map((step) => step.name)]);
    expect(cycles).toContainEqual(["src/graph", "src/models", "src/graph"]);
  });
});
