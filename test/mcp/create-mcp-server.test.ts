import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { type RunResult, runResultSchema } from "../../src/analytics/run-result.ts";
import { isSignalboxError } from "../../src/errors.ts";
import type { CompiledWorkflow } from "../../src/graph/workflow.ts";
import { defineWorkflow } from "../../src/graph/workflow.ts";
import { createMcpServer } from "../../src/mcp/create-mcp-server.ts";
import { representableOutput } from "../../src/mcp/workflow-tools.ts";
import { SupportData } from "../../src/workflows/support-triage/support-data.ts";
import { createSupportTriage } from "../../src/workflows/support-triage/workflow.ts";
import { openTestRuntime, tempHome } from "../support/runtime.ts";
import { broken, lookup } from "./fixture-workflows.ts";
import { textOf } from "./mcp-clients.ts";

// The MCP adapter over hand-written workflows, through a client on an in-memory transport.
const ship = defineWorkflow({
  name: "ship",
  title: "Ship a parcel",
  description: "Ships a parcel; cannot be undone",
  version: "1",
  input: z.object({ parcel: z.string() }),
  output: z.custom<{ shipped: true }>(),
})
  .step("ship", {
    effect: "irreversible",
    describe: (state) => ({ parcel: state.input.parcel }),
    run: () => ({ output: { shipped: true } }),
    preview: () => ({ output: { shipped: true } }),
  })
  .compile();

const echo = defineWorkflow({
  name: "echo",
  description: "Echoes a string",
  version: "1",
  input: z.string().min(1),
  output: z.object({ text: z.string() }),
})
  .step("say", { run: (state) => ({ output: { text: String(state.input) } }) })
  .compile();

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function connect(workflows: readonly CompiledWorkflow[]) {
  const { home, cleanup } = tempHome("signalbox-mcp-unit-");
  const { runtime } = openTestRuntime(home, workflows);
  const server = createMcpServer(runtime);
  const client = new Client({ name: "unit", version: "1.0.0" });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  cleanups.push(
    cleanup,
    () => runtime.close(),
    () => client.close(),
  );
  return { client, runtime };
}

describe("createMcpServer", () => {
  it("builds each tool's schemas once: a second session's server lists the same tools and still checks outputs", async () => {
    const { client, runtime } = await connect([lookup, ship]);
    const second = new Client({ name: "second", version: "1.0.0" });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await Promise.all([createMcpServer(runtime).connect(serverSide), second.connect(clientSide)]);
    cleanups.push(() => second.close());
    const [first, again] = await Promise.all([client.listTools(), second.listTools()]);
    expect(again.tools).toEqual(first.tools);
    expect(runResultSchema(lookup.outputSchema)).toBe(runResultSchema(lookup.outputSchema));
    expect(runResultSchema()).toBe(runResultSchema());
    expect(representableOutput(ship)).toBe(representableOutput(ship));
    const result = (await second.callTool({
      name: "lookup",
      arguments: { key: "k" },
    })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    expect((result.structuredContent as RunResult).output).toEqual({ value: "v-k" });
  });

  it("derives annotations from effects: read-only without writes, destructive with irreversible ones", async () => {
    const { client } = await connect([lookup, ship]);
    const { tools } = await client.listTools();
    const byName = new Map(tools.map((tool) => [tool.name, tool]));
    expect(byName.get("lookup")?.annotations).toMatchObject({
      readOnlyHint: true,
      openWorldHint: false,
    });
    expect(byName.get("lookup")?.annotations?.destructiveHint).toBeUndefined();
    expect(byName.get("ship")?.annotations).toMatchObject({
      title: "Ship a parcel",
      readOnlyHint: false,
      destructiveHint: true,
    });
    expect(byName.get("ship")?.description).toContain("dry_run");
    // An output JSON Schema cannot express (z.custom) is published as "anything".
    expect(byName.get("ship")?.outputSchema?.properties?.output).toBeDefined();
  });

  it("wraps a non-object input as { input }", async () => {
    const { client } = await connect([echo]);
    const { tools } = await client.listTools();
    expect(tools.find((tool) => tool.name === "echo")?.inputSchema.required).toEqual(["input"]);
    const result = (await client.callTool({
      name: "echo",
      arguments: { input: "hello" },
    })) as CallToolResult;
    expect((result.structuredContent as RunResult).output).toEqual({ text: "hello" });
    const dry = (await client.callTool({
      name: "dry_run",
      arguments: { workflow: "echo", input: { input: "again" } },
    })) as CallToolResult;
    expect((dry.structuredContent as RunResult).output).toEqual({ text: "again" });
  });

  it("refuses oversized arguments with an error naming the field and the limit, storing nothing", async () => {
    const notes = defineWorkflow({
      name: "notes",
      description: "Stores a note (no per-field limit: the global one applies)",
      version: "1",
      input: z.object({ note: z.string() }),
      output: z.object({ length: z.number() }),
    })
      .step("measure", { run: (state) => ({ output: { length: state.input.note.length } }) })
      .compile();
    const { home, cleanup } = tempHome("signalbox-mcp-triage-");
    cleanups.push(cleanup);
    const data = new SupportData(join(home, "support.db"));
    cleanups.push(() => data.close());
    const { client, runtime } = await connect([notes, createSupportTriage({ data }) as never]);
    const huge = (await client.callTool({
      name: "notes",
      arguments: { note: "n".repeat(1024 * 1024) },
    })) as CallToolResult;
    expect(huge.isError).toBe(true);
    expect(textOf(huge)).toBe(
      'INPUT_INVALID: input of workflow "notes" is too large: 1.0 MiB as JSON, the limit is 256 KiB; field note alone is 1.0 MiB',
    );
    const id = (await client.callTool({
      name: "support_triage",
      arguments: { customerId: "C".repeat(1024 * 1024), message: "refund order 5012" },
    })) as CallToolResult;
    expect(id.isError).toBe(true);
    expect(textOf(id)).toMatch(/customerId/);
    const dry = (await client.callTool({
      name: "dry_run",
      arguments: { workflow: "notes", input: { note: "n".repeat(300 * 1024) } },
    })) as CallToolResult;
    expect(dry.isError).toBe(true);
    expect(textOf(dry)).toMatch(/too large: 300 KiB as JSON, the limit is 256 KiB; field note/);
    expect(await runtime.list({})).toEqual([]);
  });

  it("reports a failed run as a tool error that still carries the run", async () => {
    const { client } = await connect([broken]);
    const result = (await client.callTool({ name: "broken", arguments: {} })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({ status: "failed" });
    expect(textOf(result)).toContain("the disk is on fire");
  });

  it("refuses a workflow named like a run tool", async () => {
    const clash = defineWorkflow({
      name: "get_run",
      description: "clashes",
      version: "1",
      input: z.object({}),
      output: z.object({}),
    })
      .step("noop", { run: () => ({ output: {} }) })
      .compile();
    const { home, cleanup } = tempHome("signalbox-mcp-clash-");
    const { runtime } = openTestRuntime(home, [clash]);
    cleanups.push(cleanup, () => runtime.close());
    let error: unknown;
    try {
      createMcpServer(runtime);
    } catch (caught) {
      error = caught;
    }
    expect(isSignalboxError(error, "WORKFLOW_INVALID")).toBe(true);
    expect((error as Error).message).toContain("get_run");
  });

  it("answers cancel and approve on finished runs with errors that say why", async () => {
    const { client } = await connect([lookup]);
    const done = (await client.callTool({
      name: "lookup",
      arguments: { key: "a" },
    })) as CallToolResult;
    const runId = (done.structuredContent as RunResult).runId;
    const cancel = (await client.callTool({
      name: "cancel_run",
      arguments: { runId },
    })) as CallToolResult;
    expect(cancel.isError).toBe(true);
    expect(textOf(cancel)).toMatch(/INVALID_TRANSITION: .*succeeded/);
    const approve = (await client.callTool({
      name: "approve_run",
      arguments: { runId },
    })) as CallToolResult;
    expect(textOf(approve)).toMatch(/INVALID_TRANSITION: .*not waiting/);
    const badDecision = (await client.callTool({
      name: "approve_run",
      arguments: { runId, decision: "maybe" },
    })) as CallToolResult;
    expect(badDecision.isError).toBe(true);
    expect(textOf(badDecision)).toMatch(/decision/);
  });
});
