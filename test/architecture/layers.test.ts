/**
 * The dependency check: folders of src/ must not import each other in a cycle, and
 * the adapters (cli, mcp, server) must not be imported from below them. Imports are
 * read from the source (static, `export … from` and dynamic `import()`), resolved to
 * files, and grouped by folder; a root file (errors.ts, index.ts, …) is its own unit.
 *
 * KNOWN lists what is wrong today (issue 10 asks to untangle it); the test fails when
 * something new appears, and also when a known exception is gone, so the list shrinks.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../fixtures/child-process.ts";

const SRC = join(REPO_ROOT, "src");

const KNOWN = {
  cycles: [] as string[][],
  adapterImports: [] as string[],
};

const ADAPTERS = new Set(["cli", "mcp", "server"]);
/** The public entries may import anything. */
const ENTRIES = new Set(["index.ts", "postgres.ts", "server.ts"]);

function sourceFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((entry) => {
    const path = join(directory, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

/** The folder under src/ a file belongs to, or the root file's own name. */
function unitOf(file: string): string {
  return relative(SRC, file).split(sep)[0] ?? "";
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+"(\.[^"]+)"|import\(\s*"(\.[^"]+)"\s*\)/g;

/** Folder → folders it imports from. */
function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles(SRC)) {
    const from = unitOf(file);
    const targets = graph.get(from) ?? new Set<string>();
    graph.set(from, targets);
    for (const match of readFileSync(file, "utf8").matchAll(IMPORT)) {
      const target = resolve(dirname(file), match[1] ?? match[2] ?? "");
      // Specifiers inside templates (signalbox init's files) resolve to nothing here.
      if (!target.startsWith(SRC + sep) || !existsSync(target)) continue;
      const to = unitOf(target);
      if (to !== from) targets.add(to);
    }
  }
  return graph;
}

/** Strongly connected components with more than one folder (Tarjan). */
function cycles(graph: Map<string, Set<string>>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(next) ?? 0));
      } else if (stack.includes(next)) {
        low.set(node, Math.min(low.get(node) ?? 0, index.get(next) ?? 0));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
      component.push(top);
      if (top === node) break;
    }
    if (component.length > 1) found.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found.sort((a, b) => a.join().localeCompare(b.join()));
}

describe("layers of src/", () => {
  const graph = folderGraph();

  it("has no folder cycles but the known ones", () => {
    expect(cycles(graph)).toEqual(KNOWN.cycles);
  });

  it("imports the adapters (cli, mcp, server) only from adapters and the public entries", () => {
    const violations = [...graph].flatMap(([from, targets]) =>
      [...targets]
        .filter((to) => ADAPTERS.has(to) && !ADAPTERS.has(from) && !ENTRIES.has(from))
        .map((to) => `${from} -> ${to}`),
    );
    expect(violations.sort()).toEqual(KNOWN.adapterImports);
  });

  it("keeps the core (graph, models, tools, store) and the runtime free of chat, eval and config", () => {
    const upper = new Set(["chat", "eval", "config", "workflows", "testing"]);
    const core = ["graph", "models", "tools", "store", "runtime"];
    const violations = core.flatMap((from) =>
      [...(graph.get(from) ?? [])].filter((to) => upper.has(to)).map((to) => `${from} -> ${to}`),
    );
    expect(violations).toEqual([]);
  });
});
