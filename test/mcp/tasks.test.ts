import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import {
  type CallToolResult,
  CallToolResultSchema,
  CreateTaskResultSchema,
  type Task,
} from "@modelcontextprotocol/sdk/types.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import type { RunResult } from "../../src/analytics/run-result.ts";
import type { CompiledWorkflow } from "../../src/graph/workflow.ts";
import { defineWorkflow } from "../../src/graph/workflow.ts";
import { createMcpServer } from "../../src/mcp/create-mcp-server.ts";
import { openTestRuntime, tempHome } from "../support/runtime.ts";
import { lookup } from "./fixture-workflows.ts";
import { connectStdio, example, textOf } from "./mcp-clients.ts";

// MCP tasks over durable runs: the SDK client on an in-memory transport, and across
// a killed and restarted `signalbox mcp` process.
const RELATED_TASK = "io.modelcontextprotocol/related-task";

const gated = defineWorkflow({
  name: "gated",
  description: "Ships a ticket once someone approves",
  version: "1",
  input: z.object({ ticket: z.string() }),
  output: z.object({ shipped: z.string() }),
})
  .step("prepare", { run: () => ({}), next: "ok" })
  .approval("ok", { message: (state) => `ship ${state.input.ticket}?`, next: "ship" })
  .step("ship", { run: (state) => ({ output: { shipped: state.input.ticket } }) })
  .compile();

/** Holds the `held` workflow's only step until the test opens it, so its task surely still works. */
let openGate: () => void = () => {};
let gate = Promise.resolve();
function closeGate(): void {
  gate = new Promise<void>((resolve) => {
    openGate = resolve;
  });
}

const held = defineWorkflow({
  name: "held",
  description: "Waits for the test",
  version: "1",
  input: z.object({}),
  output: z.object({ released: z.boolean() }),
})
  .step("hold", {
    run: async () => {
      await gate;
      return { output: { released: true } };
    },
  })
  .compile();

let cleanups: (() => Promise<void> | void)[] = [];
beforeEach(closeGate);
afterEach(async () => {
  openGate();
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function connect(workflows: readonly CompiledWorkflow[] = [lookup, gated, held]) {
  const { home, cleanup } = tempHome("signalbox-mcp-tasks-");
  const { runtime } = openTestRuntime(home, workflows);
  const server = createMcpServer(runtime, { taskPollIntervalMs: 20 });
  const client = new Client({ name: "tasks-unit", version: "1.0.0" });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  cleanups.push(
    cleanup,
    () => runtime.close(),
    () => client.close(),
  );
  return { client, runtime };
}

/** A task-augmented tools/call: the server answers with the task at once. */
async function callAsTask(client: Client, name: string, args: Record<string, unknown>) {
  const created = await client.request(
    { method: "tools/call", params: { name, arguments: args } },
    CreateTaskResultSchema,
    { task: { ttl: 60_000 } },
  );
  return created.task;
}

/** Polls tasks/get until the task has `status` (a safety-net timeout, not a threshold). */
async function untilStatus(client: Client, taskId: string, status: Task["status"]): Promise<Task> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const task = await client.experimental.tasks.getTask(taskId);
    if (task.status === status) return task;
    if (Date.now() > deadline)
      throw new Error(`task ${taskId} is ${task.status}, still not ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function taskResult(client: Client, taskId: string): Promise<CallToolResult> {
  return (await client.experimental.tasks.getTaskResult(
    taskId,
    CallToolResultSchema,
  )) as CallToolResult;
}

const structured = (result: CallToolResult) => result.structuredContent as RunResult;

describe("MCP tasks over runs (in-process)", () => {
  it("declares optional task support on workflow tools only, and the tasks capability", async () => {
    const { client } = await connect();
    const { tools } = await client.listTools();
    const support = Object.fromEntries(
      tools.map((tool) => [tool.name, tool.execution?.taskSupport]),
    );
    expect(support).toMatchObject({ lookup: "optional", gated: "optional", held: "optional" });
    expect(support.get_run).not.toBe("optional");
    expect(client.getServerCapabilities()?.tasks).toMatchObject({
      list: {},
      cancel: {},
      requests: { tools: { call: {} } },
    });
  });

  it("runs a workflow tool as a task: working at once, then completed; tasks/result is the plain call's result", async () => {
    const { client } = await connect();
    const task = await callAsTask(client, "held", {});
    expect(task).toMatchObject({ status: "working", ttl: null, pollInterval: 20 });
    openGate();
    const done = await untilStatus(client, task.taskId, "completed");
    expect(done.createdAt).toBe(task.createdAt);
    const result = await taskResult(client, task.taskId);
    expect(result.isError).toBeFalsy();
    expect(structured(result)).toMatchObject({
      runId: task.taskId,
      workflow: "held",
      status: "succeeded",
      output: { released: true },
    });
    expect(textOf(result)).toContain(`run ${task.taskId} (held): succeeded`);
    expect(result._meta?.[RELATED_TASK]).toEqual({ taskId: task.taskId });
    // The task id is the run id: the run tools see the same run.
    const shown = (await client.callTool({
      name: "get_run",
      arguments: { runId: task.taskId },
    })) as CallToolResult;
    expect(structured(shown)).toEqual(structured(result));
  });

  it("works with the SDK's task client (callToolStream), output validated", async () => {
    const { client } = await connect();
    await client.listTools();
    const kinds: string[] = [];
    let last: CallToolResult | undefined;
    for await (const message of client.experimental.tasks.callToolStream(
      { name: "lookup", arguments: { key: "k" } },
      CallToolResultSchema,
    )) {
      kinds.push(message.type);
      if (message.type === "error") throw message.error;
      if (message.type === "result") last = message.result as CallToolResult;
    }
    expect(kinds[0]).toBe("taskCreated");
    expect(kinds.at(-1)).toBe("result");
    expect(structured(last as CallToolResult).output).toEqual({ value: "v-k" });
  });

  it("shows a task waiting for approval as input_required, saying what to approve and how; approve_run completes it", async () => {
    const { client } = await connect();
    const task = await callAsTask(client, "gated", { ticket: "T-7" });
    const waiting = await untilStatus(client, task.taskId, "input_required");
    expect(waiting.statusMessage).toContain("approval at ok: ship T-7?");
    expect(waiting.statusMessage).toContain("approve_run");
    expect(waiting.statusMessage).toContain(`"runId": "${task.taskId}"`);
    const approved = (await client.callTool({
      name: "approve_run",
      arguments: { runId: task.taskId, comment: "go" },
    })) as CallToolResult;
    expect(structured(approved).status).toBe("succeeded");
    await untilStatus(client, task.taskId, "completed");
    const result = await taskResult(client, task.taskId);
    expect(structured(result).output).toEqual({ shipped: "T-7" });
    expect(structured(result).decisionPath).toContainEqual(
      expect.objectContaining({ node: "ok", choice: "approved", reason: "go" }),
    );
  });

  it("still answers a plain tools/call directly, with progress, and returns a waiting run at once", async () => {
    const { client } = await connect();
    const progress: string[] = [];
    const plain = (await client.callTool({ name: "lookup", arguments: { key: "a" } }, undefined, {
      onprogress: (update) => progress.push(update.message ?? ""),
    })) as CallToolResult;
    expect(structured(plain)).toMatchObject({ status: "succeeded", output: { value: "v-a" } });
    expect(plain._meta?.[RELATED_TASK]).toBeUndefined();
    expect(progress).toContain("read done");
    // Answered with the paused run (not held open until someone approves).
    const waiting = (await client.callTool({
      name: "gated",
      arguments: { ticket: "T-8" },
    })) as CallToolResult;
    expect(structured(waiting).status).toBe("waiting");
    expect(structured(waiting).next).toContain("approve_run");
    // A run a plain call started reads as a task too.
    const task = await client.experimental.tasks.getTask(structured(waiting).runId);
    expect(task.status).toBe("input_required");
    const invalid = (await client.callTool({ name: "lookup", arguments: {} })) as CallToolResult;
    expect(invalid.isError).toBe(true);
    expect(textOf(invalid)).toMatch(/key/);
  });

  it("cancels the run with tasks/cancel, whether it waits or works", async () => {
    const { client, runtime } = await connect();
    const waiting = await callAsTask(client, "gated", { ticket: "T-9" });
    await untilStatus(client, waiting.taskId, "input_required");
    const cancelled = await client.experimental.tasks.cancelTask(waiting.taskId);
    expect(cancelled.status).toBe("cancelled");
    const run = (await runtime.get(waiting.taskId)).run;
    expect(run).toMatchObject({
      status: "cancelled",
      error: "cancelled by mcp:tasks-unit (tasks/cancel)",
    });
    expect(structured(await taskResult(client, waiting.taskId)).status).toBe("cancelled");
    await expect(client.experimental.tasks.cancelTask(waiting.taskId)).rejects.toThrow(/terminal/);

    const working = await callAsTask(client, "held", {});
    expect((await client.experimental.tasks.cancelTask(working.taskId)).status).toBe("cancelled");
    expect((await runtime.wait(working.taskId)).status).toBe("cancelled");
  });

  it("lists runs as tasks and refuses unknown task ids", async () => {
    const { client } = await connect();
    const first = await callAsTask(client, "lookup", { key: "1" });
    const second = await callAsTask(client, "gated", { ticket: "T-1" });
    await untilStatus(client, first.taskId, "completed");
    await untilStatus(client, second.taskId, "input_required");
    const { tasks, nextCursor } = await client.experimental.tasks.listTasks();
    expect(nextCursor).toBeUndefined();
    expect(tasks.map((task) => [task.taskId, task.status])).toEqual([
      [second.taskId, "input_required"],
      [first.taskId, "completed"],
    ]);
    await expect(client.experimental.tasks.getTask("no-such-task")).rejects.toThrow(/not found/i);
    await expect(taskResult(client, "no-such-task")).rejects.toThrow(/not found/i);
    await expect(client.experimental.tasks.listTasks("bogus")).rejects.toThrow(/cursor/);
  });
});

describe("MCP tasks across a server restart (stdio)", () => {
  it("reads a task created by a killed server from a new server process on the same home", async () => {
    const { home, cleanup } = tempHome("signalbox-mcp-task-restart-");
    cleanups.push(cleanup);
    const first = await connectStdio(home, { name: "first-client" });
    const closed = new Promise<void>((resolve) => {
      first.client.onclose = resolve;
    });
    const task = await callAsTask(first.client, "support_triage", example("large-refund"));
    const waiting = await untilStatus(first.client, task.taskId, "input_required");
    expect(waiting.statusMessage).toContain("approve_refund");
    const pid = (first.client.transport as StdioClientTransport | undefined)?.pid;
    expect(pid).toBeTypeOf("number");
    process.kill(pid as number, "SIGKILL");
    await closed;

    const second = await connectStdio(home, { name: "second-client" });
    cleanups.push(() => second.close());
    const read = await second.client.experimental.tasks.getTask(task.taskId);
    expect(read).toMatchObject({
      taskId: task.taskId,
      status: "input_required",
      createdAt: waiting.createdAt,
      statusMessage: waiting.statusMessage,
    });
    const { tasks } = await second.client.experimental.tasks.listTasks();
    expect(tasks.map((entry) => entry.taskId)).toContain(task.taskId);
    const approved = (await second.client.callTool({
      name: "approve_run",
      arguments: { runId: task.taskId },
    })) as CallToolResult;
    expect(structured(approved).status).toBe("succeeded");
    await untilStatus(second.client, task.taskId, "completed");
    const result = await taskResult(second.client, task.taskId);
    expect(structured(result).output).toMatchObject({ intent: "refund", action: "refunded" });
  });
});
