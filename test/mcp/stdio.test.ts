import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { RunResult } from "../../src/analytics/run-result.ts";
import { runCli } from "../fixtures/child-process.ts";
import { tempHome } from "../support/runtime.ts";
import {
  callWithProgress,
  connectStdio,
  example,
  SHIPPED_TOOL_NAMES,
  type TestClient,
  textOf,
} from "./mcp-clients.ts";

// Real transport end to end: the SDK client against `signalbox mcp` spawned as a child process.
let home: string;
let cleanup: () => void;
let plain: TestClient;

beforeAll(async () => {
  ({ home, cleanup } = tempHome("signalbox-mcp-stdio-"));
  plain = await connectStdio(home, { name: "plain-client" });
});

afterAll(async () => {
  await plain?.close();
  cleanup();
});

const structured = (result: CallToolResult) => result.structuredContent as RunResult;

describe("signalbox mcp (stdio)", () => {
  it("lists every workflow as a tool with schemas and effect annotations, plus the run tools", async () => {
    const { tools } = await plain.client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([...SHIPPED_TOOL_NAMES].sort());
    const triage = tools.find((tool) => tool.name === "support_triage");
    expect(triage?.title).toBe("Support triage");
    expect(triage?.description).toMatch(/refund/);
    expect(triage?.inputSchema.required).toEqual(["customerId", "message"]);
    expect(triage?.outputSchema?.properties).toHaveProperty("decisionPath");
    expect(triage?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false });
    const getRun = tools.find((tool) => tool.name === "get_run");
    expect(getRun?.annotations?.readOnlyHint).toBe(true);
  });

  it("calls draft_reply alone, and shows a technical run's tool calls nested under the agent step in the text summary (issue 16)", async () => {
    const draft = await plain.client.callTool({
      name: "draft_reply",
      arguments: {
        intent: "refund",
        customer: {
          id: "C-1",
          name: "Ada Byron",
          email: "ada@example.com",
          plan: "pro",
          status: "active",
        },
        refund: { eligible: true, orderId: "5012", amount: 49, reason: "within the window" },
      },
    });
    expect(draft.isError).toBeFalsy();
    expect(structured(draft as CallToolResult)).toMatchObject({
      workflow: "draft_reply",
      status: "succeeded",
      output: { verdict: "refund", problems: [] },
    });
    expect(structured(draft as CallToolResult).decisionPath.map((step) => step.node)).toEqual([
      "review_draft",
    ]);

    const technical = (await plain.client.callTool({
      name: "support_triage",
      arguments: example("technical-request"),
    })) as CallToolResult;
    expect(structured(technical).output).toMatchObject({ article: "kb-export-button" });
    const text = textOf(technical);
    expect(text).toMatch(
      /\n {2}solve_technical:\n {4}tool call 1 → search_help_center: .+\n {4}tool call 2 → check_service_status: /,
    );
    expect(text).toMatch(/\n {2}draft_reply:\n {4}review_draft → reply: /);
  });

  it("runs support_triage, sending a progress message per node with its decision", async () => {
    await plain.client.setLoggingLevel("info");
    const { result, run, progress } = await callWithProgress(
      plain,
      "support_triage",
      example("refund-request"),
    );
    expect(result.isError).toBeFalsy();
    expect(run).toMatchObject({ workflow: "support_triage", status: "succeeded", dryRun: false });
    expect(run.output).toMatchObject({ intent: "refund", action: "refunded" });
    expect(run.decisionPath.map((step) => `${step.node}:${step.choice}`)).toContain(
      "classify_intent:refund",
    );
    expect(progress).toContain("lookup_customer done");
    expect(progress.some((message) => message.startsWith("classify_intent → refund: "))).toBe(true);
    expect(textOf(result)).toContain(`run ${run.runId} (support_triage): succeeded`);
    expect(textOf(result)).toMatch(/classify_intent → refund: .+ \[classifier\]/);
    // Log notifications are dispatched a microtask after they are read: wait, do not assume.
    await vi.waitFor(() =>
      expect(plain.logs).toContainEqual(
        expect.objectContaining({ event: "run-end", runId: run.runId, status: "succeeded" }),
      ),
    );
  });

  it("returns waiting for an approval when the client cannot show forms; a second client approves it", async () => {
    const { run, progress } = await callWithProgress(
      plain,
      "support_triage",
      example("large-refund"),
    );
    expect(run.status).toBe("waiting");
    expect(run.approval?.node).toBe("approve_refund");
    expect(run.next).toContain(`"runId": "${run.runId}"`);
    expect(run.next).toContain("approve_run");
    expect(progress.at(-1)).toMatch(/^approve_refund: waiting for approval: Refund/);

    const other = await connectStdio(home, { name: "second-client" });
    try {
      const listed = await other.client.callTool({
        name: "list_runs",
        arguments: { status: "waiting" },
      });
      const runs = (listed.structuredContent as { runs: { runId: string }[] }).runs;
      expect(runs.map((entry) => entry.runId)).toContain(run.runId);
      const approved = await callWithProgress(other, "approve_run", {
        runId: run.runId,
        comment: "checked the order",
      });
      expect(approved.run.status).toBe("succeeded");
      expect(approved.run.output).toMatchObject({ action: "refunded" });
      expect(approved.run.decisionPath).toContainEqual(
        expect.objectContaining({
          node: "approve_refund",
          choice: "approved",
          reason: "checked the order",
        }),
      );
      expect(approved.progress).toContain("approve_refund → approved: checked the order");
    } finally {
      await other.close();
    }
    const seen = await plain.client.callTool({ name: "get_run", arguments: { runId: run.runId } });
    expect(structured(seen as CallToolResult).status).toBe("succeeded");
    const shown = await runCli(["--home", home, "show", run.runId, "--json"]);
    expect(JSON.parse(shown.stdout).approvals[0]).toMatchObject({
      status: "approved",
      decidedBy: "mcp:second-client",
    });
  });

  // Each form test gets its own data directory: once refunded, order 5031 needs no approval again.
  it("asks the user inline when the client declared elicitation, and continues the run", async () => {
    const fresh = tempHome("signalbox-mcp-form-");
    const asking = await connectStdio(fresh.home, {
      name: "form-client",
      answer: () => ({ action: "accept", content: { decision: "approve", comment: "fine by me" } }),
    });
    try {
      const { run, progress } = await callWithProgress(
        asking,
        "support_triage",
        example("large-refund"),
      );
      expect(asking.forms).toHaveLength(1);
      expect(asking.forms[0]).toContain(`Run ${run.runId} of support_triage needs your approval`);
      expect(run.status).toBe("succeeded");
      expect(run.output).toMatchObject({ action: "refunded" });
      expect(run.decisionPath).toContainEqual(
        expect.objectContaining({ node: "approve_refund", choice: "approved", decidedBy: "human" }),
      );
      expect(progress).toContain("approve_refund → approved: fine by me");
    } finally {
      await asking.close();
      fresh.cleanup();
    }
  });

  it("leaves the run waiting when the user declines the form", async () => {
    const fresh = tempHome("signalbox-mcp-decline-");
    const declining = await connectStdio(fresh.home, {
      name: "declining-client",
      answer: () => ({ action: "decline" }),
    });
    try {
      const { run } = await callWithProgress(declining, "support_triage", example("large-refund"));
      expect(declining.forms).toHaveLength(1);
      expect(run.status).toBe("waiting");
      const cancelled = await declining.client.callTool({
        name: "cancel_run",
        arguments: { runId: run.runId, reason: "not today" },
      });
      expect(structured(cancelled as CallToolResult)).toMatchObject({
        status: "cancelled",
        error: "not today",
      });
    } finally {
      await declining.close();
      fresh.cleanup();
    }
  });

  it("dry-runs a workflow: planned effects, nothing performed", async () => {
    const { run } = await callWithProgress(plain, "dry_run", {
      workflow: "support_triage",
      input: example("refund-request"),
    });
    expect(run).toMatchObject({ status: "succeeded", dryRun: true });
    expect(run.effects.length).toBeGreaterThan(0);
    expect(run.effects.every((effect) => effect.status === "planned")).toBe(true);
  });

  it("serves runs as JSON and workflow graphs as Mermaid resources", async () => {
    const { resourceTemplates } = await plain.client.listResourceTemplates();
    expect(resourceTemplates.map((template) => template.uriTemplate).sort()).toEqual([
      "signalbox://runs/{runId}",
      "signalbox://runs/{runId}/graph",
      "signalbox://workflows/{name}/graph",
    ]);
    const { resources } = await plain.client.listResources();
    const runUri = resources.find((resource) => resource.uri.startsWith("signalbox://runs/"))?.uri;
    expect(resources.map((resource) => resource.uri)).toContain(
      "signalbox://workflows/support_triage/graph",
    );
    const runJson = await plain.client.readResource({ uri: runUri ?? "" });
    const first = runJson.contents[0];
    const details = JSON.parse(first && "text" in first ? first.text : "{}");
    expect(details.run.workflow).toBe("support_triage");
    expect(details.decisions.length).toBeGreaterThan(0);
    expect(details.path[0]).toBe("lookup_customer");
    const graph = await plain.client.readResource({
      uri: "signalbox://workflows/support_triage/graph",
    });
    expect(graph.contents[0]).toMatchObject({ mimeType: "text/vnd.mermaid" });
    expect(
      graph.contents[0] && "text" in graph.contents[0] ? graph.contents[0].text : "",
    ).toContain("flowchart TD");
    await expect(
      plain.client.readResource({ uri: "signalbox://runs/no-such-run" }),
    ).rejects.toThrow(/not found/);
  });

  it("reports bad arguments and unknown tools as tool errors naming the problem", async () => {
    const missing = (await plain.client.callTool({
      name: "support_triage",
      arguments: { customerId: "C-1001" },
    })) as CallToolResult;
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toMatch(/message/);
    expect(textOf(missing)).toMatch(/expected string/);
    const unknown = (await plain.client.callTool({
      name: "no_such_tool",
      arguments: {},
    })) as CallToolResult;
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toContain("no_such_tool");
    const notWaiting = (await plain.client.callTool({
      name: "approve_run",
      arguments: { runId: "no-such-run" },
    })) as CallToolResult;
    expect(notWaiting.isError).toBe(true);
    expect(textOf(notWaiting)).toContain("RUN_NOT_FOUND");
    // The server is still there.
    expect((await plain.client.listTools()).tools.length).toBe(SHIPPED_TOOL_NAMES.length);
  });
});

describe("signalbox mcp process", () => {
  it("exits with code 0 as soon as stdin closes", async () => {
    const { home: empty, cleanup: remove } = tempHome("signalbox-mcp-exit-");
    try {
      const finished = await runCli(["--home", empty, "mcp"]);
      expect(finished.code).toBe(0);
      expect(finished.stdout).toBe("");
    } finally {
      remove();
    }
  });
});
