import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Child, pollUntil, runCli, spawnNode } from "../fixtures/child-process.ts";
import { callWithProgress, connectHttp, example, SHIPPED_TOOL_NAMES } from "../mcp/mcp-clients.ts";
import { tempHome } from "../support/runtime.ts";
import { LIST_TOOLS, MCP_HEADERS, rawRequest } from "./raw-http.ts";

// Real transport end to end: SDK clients against `signalbox serve` spawned as a child process.
const TOKEN = "test-token-0123456789abcdef";

/** Starts `signalbox serve` and waits for the URL it prints. */
async function startServe(home: string, args: readonly string[] = []) {
  const child = spawnNode(["bin/signalbox.js", "--home", home, "serve", "--port", "0", ...args]);
  const url = await pollUntil(
    "the listening URL",
    () => /listening on (\S+)/.exec(child.stdout())?.[1],
    {
      child,
    },
  );
  return { child, url };
}

async function stop(child: Child) {
  child.process.kill("SIGTERM");
  return child.exited;
}

describe("signalbox serve (Streamable HTTP)", () => {
  let home: string;
  let cleanup: () => void;
  let server: { child: Child; url: string };

  beforeAll(async () => {
    ({ home, cleanup } = tempHome("signalbox-serve-"));
    server = await startServe(home);
  });

  afterAll(async () => {
    if (server) expect((await stop(server.child)).code).toBe(0);
    cleanup();
  });

  it("prints its URL, lists tools and runs a workflow with progress", async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const client = await connectHttp(server.url);
    try {
      const { tools } = await client.client.listTools();
      expect(tools.map((tool) => tool.name)).toContain("support_triage");
      const { run, progress } = await callWithProgress(
        client,
        "support_triage",
        example("refund-request"),
      );
      expect(run).toMatchObject({ status: "succeeded", output: { action: "refunded" } });
      expect(progress.some((message) => message.startsWith("classify_intent → refund"))).toBe(true);
    } finally {
      await client.close();
    }
  });

  it("returns waiting for an approval; another session approves it", async () => {
    const first = await connectHttp(server.url, { name: "first" });
    const second = await connectHttp(server.url, { name: "second" });
    try {
      const { run } = await callWithProgress(first, "support_triage", example("large-refund"));
      expect(run.status).toBe("waiting");
      const approved = await callWithProgress(second, "approve_run", {
        runId: run.runId,
        decision: "reject",
        comment: "too much",
      });
      expect(approved.run).toMatchObject({ status: "succeeded", output: { action: "escalated" } });
      expect(approved.run.decisionPath).toContainEqual(
        expect.objectContaining({ node: "approve_refund", choice: "rejected", reason: "too much" }),
      );
      const seen = await first.client.callTool({
        name: "get_run",
        arguments: { runId: run.runId },
      });
      expect(seen.structuredContent).toMatchObject({ status: "succeeded" });
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it("asks for the approval inline over HTTP when the client can show forms", async () => {
    const client = await connectHttp(server.url, {
      answer: () => ({ action: "accept", content: { decision: "approve" } }),
    });
    try {
      const { run } = await callWithProgress(client, "support_triage", {
        customerId: "C-1002",
        message: "The software did not work for us at all. I want my money back for order 5020.",
      });
      expect(client.forms).toHaveLength(1);
      expect(run).toMatchObject({
        status: "succeeded",
        output: { action: "refunded", refund: { orderId: "5020" } },
      });
    } finally {
      await client.close();
    }
  });

  it("serves 10 concurrent calls from 10 sessions", async () => {
    const clients = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        connectHttp(server.url, { name: `client-${index}` }),
      ),
    );
    try {
      const results = await Promise.all(
        clients.map((client) =>
          callWithProgress(client, "support_triage", example("refund-request")),
        ),
      );
      expect(results.map((result) => result.run.status)).toEqual(Array(10).fill("succeeded"));
      expect(new Set(results.map((result) => result.run.runId)).size).toBe(10);
    } finally {
      await Promise.all(clients.map((client) => client.close()));
    }
  });

  it("answers 404 for a terminated session", async () => {
    const client = await connectHttp(server.url);
    const sessionId = client.transport.sessionId ?? "";
    await client.transport.terminateSession();
    await client.close();
    const response = await rawRequest(server.url, {
      headers: { ...MCP_HEADERS, "Mcp-Session-Id": sessionId },
      body: LIST_TOOLS,
    });
    expect(response.status).toBe(404);
  });
});

describe("signalbox serve off loopback", () => {
  it("refuses to start on 0.0.0.0 without a token, saying why", async () => {
    const { home, cleanup } = tempHome("signalbox-serve-open-");
    try {
      const result = await runCli(["--home", home, "serve", "--host", "0.0.0.0", "--port", "0"]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("refusing to serve on 0.0.0.0 without a token");
      expect(result.stderr).toContain("SIGNALBOX_TOKEN");
    } finally {
      cleanup();
    }
  });

  it("requires the bearer token on every request when one is set", async () => {
    const { home, cleanup } = tempHome("signalbox-serve-token-");
    const served = await startServe(home, ["--host", "0.0.0.0", "--token", TOKEN]);
    try {
      const url = served.url.replace("0.0.0.0", "127.0.0.1");
      const anonymous = await rawRequest(url, { headers: MCP_HEADERS, body: LIST_TOOLS });
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers["www-authenticate"]).toContain("Bearer");
      const wrong = await rawRequest(url, {
        headers: { ...MCP_HEADERS, Authorization: "Bearer not-the-token-at-all" },
        body: LIST_TOOLS,
      });
      expect(wrong.status).toBe(401);
      const client = await connectHttp(url, { token: TOKEN });
      expect((await client.client.listTools()).tools.length).toBe(SHIPPED_TOOL_NAMES.length);
      await client.close();
    } finally {
      await stop(served.child);
      cleanup();
    }
  });
});
