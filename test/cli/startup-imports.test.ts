import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, spawnNode } from "../fixtures/child-process.ts";
import { runCliCaptured } from "../support/cli.ts";
import { tempHome } from "../support/runtime.ts";

/**
 * Issue 10: `runs` and `show` read the store alone, so they must not pay for the
 * packages a run needs. Each command runs as a real process on the compiled CLI
 * (bin/signalbox.js, as users run it) with a loader hook recording every module loaded.
 */
const HEAVY = ["zod", "@langchain/", "langsmith", "@modelcontextprotocol/", "pino"];

let home: string;
let cleanup: () => void;
let runId: string;
beforeAll(async () => {
  ({ home, cleanup } = tempHome("signalbox-startup-"));
  const ran = await runCliCaptured([
    "--home",
    home,
    "run",
    "support_triage",
    "--input",
    "@examples/refund-request.json",
    "--json",
  ]);
  runId = (JSON.parse(ran.stdout) as { run: { id: string } }).run.id;
});
afterAll(() => cleanup());

/**
 * The sources of signalbox the compiled files at `urls` were built from: dist/ holds a few
 * bundled chunks, and the build's metafile says which sources went into each.
 */
function sourcesOf(urls: readonly string[]): string[] {
  const meta = JSON.parse(readFileSync(join(REPO_ROOT, "dist", "build-meta.json"), "utf8")) as {
    outputs: Record<string, { inputs: Record<string, unknown> }>;
  };
  return urls.flatMap((url) => {
    const output = url.match(/\/(dist\/[^?]+[.]js)$/)?.[1];
    return output === undefined ? [] : Object.keys(meta.outputs[output]?.inputs ?? {});
  });
}

/** Runs `signalbox --home <home> …args`; its exit code, output, the packages and our sources it loaded. */
async function imports(name: string, ...args: string[]) {
  const record = join(home, `${name}.imports`);
  const child = spawnNode(
    ["--import", "./test/fixtures/record-imports.mjs", "bin/signalbox.js", "--home", home, ...args],
    { RECORD_IMPORTS_TO: record },
  );
  const finished = await child.exited;
  const urls = readFileSync(record, "utf8").trim().split("\n");
  const packages = new Set(
    urls.flatMap((url) => url.match(/\/node_modules\/((@[^/]+\/)?[^/]+)\//)?.[1] ?? []),
  );
  return { ...finished, packages: [...packages].sort(), sources: sourcesOf(urls) };
}

const heavyIn = (packages: readonly string[]) =>
  packages.filter((name) => HEAVY.some((heavy) => name.startsWith(heavy)));

describe("signalbox start-up", () => {
  it("runs and show load the store alone: no zod, LangChain, MCP SDK or pino", async () => {
    const runs = await imports("runs", "runs");
    expect(runs.code).toBe(0);
    expect(runs.stdout).toContain(runId);
    const shown = await imports("show", "show", runId.slice(0, 8));
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain("decision path");
    const json = await imports("show-json", "show", runId, "--json");
    expect(JSON.parse(json.stdout)).toMatchObject({ run: { id: runId } });
    for (const command of [runs, shown, json]) {
      // The hook saw the command's own modules and the SQLite driver…
      expect(command.sources).toContain("src/store/sqlite-store.ts");
      expect(command.packages).toContain("better-sqlite3");
      // …and none of the heavy packages.
      expect(heavyIn(command.packages)).toEqual([]);
    }
  });

  it("an offline run loads no model client, MCP, server or eval, and restores its route classifier from the home", async () => {
    const cache = join(home, "cache", "classifiers");
    // The run in beforeAll trained support_triage's route classifier and kept it.
    const kept = readdirSync(cache);
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatch(/^[0-9a-f]{64}\.json$/);
    const entry = join(cache, kept[0] as string);
    const savedAt = statSync(entry).mtimeMs;

    const run = await imports(
      "run",
      "run",
      "support_triage",
      "--input",
      "@examples/refund-request.json",
      "--json",
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ run: { status: "succeeded" } });
    // It ran the graph on LangGraph, in the SQLite store…
    expect(run.packages).toEqual(
      expect.arrayContaining(["@langchain/langgraph", "better-sqlite3", "zod"]),
    );
    expect(run.sources).toContain("src/workflows/support-triage/workflow.ts");
    // …without the OpenAI client (the model is offline) or the module that builds one,
    expect(run.packages.filter((name) => /^(@langchain\/openai|openai)$/.test(name))).toEqual([]);
    expect(run.sources).not.toContain("src/models/openai-provider.ts");
    // …without MCP, the HTTP server or eval,
    expect(run.packages.filter((name) => name.startsWith("@modelcontextprotocol/"))).toEqual([]);
    expect(run.sources.filter((source) => /^src\/(server|mcp|eval|chat)\//.test(source))).toEqual(
      [],
    );
    // …and the classifier came from the cache: a trained one would have been saved again.
    expect(readdirSync(cache)).toEqual(kept);
    expect(statSync(entry).mtimeMs).toBe(savedAt);
  });

  it("show --mermaid, which needs the workflow, loads LangGraph and zod", async () => {
    const mermaid = await imports("mermaid", "show", runId, "--mermaid");
    expect(mermaid.code).toBe(0);
    expect(mermaid.stdout).toContain("flowchart");
    expect(mermaid.packages).toEqual(expect.arrayContaining(["@langchain/langgraph", "zod"]));
  });
});
