import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import { createMcpServer } from "../../src/mcp/create-mcp-server.ts";
import { createBuiltinWorkflows } from "../../src/workflows/index.ts";
import { REPO_ROOT } from "../fixtures/child-process.ts";
import { openTestRuntime, tempHome } from "../support/runtime.ts";

// docs/mcp.md's tools table against what the server lists over the shipped workflows,
// so a new tool (or a changed hint) cannot go undocumented.

interface DocumentedTool {
  readonly name: string;
  readonly hints: string;
}

/** The rows of the table under "Tools:" in docs/mcp.md: the tool's name and its hints column. */
function documentedTools(): DocumentedTool[] {
  const text = readFileSync(join(REPO_ROOT, "docs/mcp.md"), "utf8");
  const section = text.slice(text.indexOf("| tool | what it does | hints |"));
  const rows = section.slice(0, section.indexOf("\n\n")).split("\n").slice(2);
  return rows.map((row) => {
    const cells = row.split(" | ");
    const name = /^\| `([a-z_]+)`$/.exec(cells[0] ?? "")?.[1];
    if (name === undefined) throw new Error(`docs/mcp.md: a tools row without a tool name: ${row}`);
    return { name, hints: cells.at(-1) ?? "" };
  });
}

function hintWords(tool: Tool): string[] {
  return [
    ...(tool.annotations?.readOnlyHint ? ["read-only"] : []),
    ...(tool.annotations?.destructiveHint ? ["destructive"] : []),
  ];
}

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function listedTools(): Promise<Tool[]> {
  const { home, cleanup } = tempHome("signalbox-mcp-docs-");
  const { runtime } = openTestRuntime(home, createBuiltinWorkflows({ home }));
  const client = new Client({ name: "docs", version: "1.0.0" });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await Promise.all([createMcpServer(runtime).connect(serverSide), client.connect(clientSide)]);
  cleanups.push(
    cleanup,
    () => runtime.close(),
    () => client.close(),
  );
  return (await client.listTools()).tools;
}

describe("docs/mcp.md tools table", () => {
  it("lists every tool the server lists, in the server's order, with its read-only and destructive hints", async () => {
    const tools = await listedTools();
    const documented = documentedTools();

    expect(documented.map((row) => row.name)).toEqual(tools.map((tool) => tool.name));
    for (const tool of tools) {
      const row = documented.find((entry) => entry.name === tool.name);
      const words = (row?.hints ?? "").match(/read-only|destructive/g) ?? [];
      expect({ tool: tool.name, hints: words }).toEqual({
        tool: tool.name,
        hints: hintWords(tool),
      });
    }
  });
});
