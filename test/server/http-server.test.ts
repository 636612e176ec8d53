import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isSignalboxError } from "../../src/errors.ts";
import type { Runtime } from "../../src/runtime/runtime.ts";
import { type SignalboxHttpServer, startHttpServer } from "../../src/server/http-server.ts";
import { createBuiltinWorkflows } from "../../src/workflows/index.ts";
import { connectHttp, SHIPPED_TOOL_NAMES } from "../mcp/mcp-clients.ts";
import { openTestRuntime, tempHome } from "../support/runtime.ts";
import { LIST_TOOLS, MCP_HEADERS, rawRequest } from "./raw-http.ts";

// The HTTP app in-process, for the protections a well-behaved client never trips.
let runtime: Runtime;
let server: SignalboxHttpServer;
let cleanup: () => void;

beforeAll(async () => {
  const temp = tempHome("signalbox-http-");
  cleanup = temp.cleanup;
  ({ runtime } = openTestRuntime(temp.home, createBuiltinWorkflows({ home: temp.home })));
  server = await startHttpServer(runtime, { port: 0, maxBodyBytes: 1024 * 1024 });
});

afterAll(async () => {
  await server?.close();
  await runtime?.close();
  cleanup();
});

const port = () => new URL(server.url).port;

describe("HTTP MCP endpoint protections", () => {
  it("refuses a Host that is not on the allow-list (DNS rebinding) with 403", async () => {
    const response = await rawRequest(server.url, {
      headers: { ...MCP_HEADERS, Host: `evil.example:${port()}` },
      body: LIST_TOOLS,
    });
    expect(response.status).toBe(403);
    expect(JSON.parse(response.body).error.message).toContain('Host "evil.example');
  });

  it("refuses a browser Origin that is not on the allow-list with 403", async () => {
    const response = await rawRequest(server.url, {
      headers: { ...MCP_HEADERS, Origin: "http://evil.example" },
      body: LIST_TOOLS,
    });
    expect(response.status).toBe(403);
  });

  it("accepts localhost by name, whatever the port", async () => {
    const client = await connectHttp(`http://localhost:${port()}/mcp`);
    expect((await client.client.listTools()).tools.length).toBe(SHIPPED_TOOL_NAMES.length);
    await client.close();
  });

  it("answers 404 for an unknown session id", async () => {
    const response = await rawRequest(server.url, {
      headers: { ...MCP_HEADERS, "Mcp-Session-Id": "no-such-session" },
      body: LIST_TOOLS,
    });
    expect(response.status).toBe(404);
    expect(JSON.parse(response.body).error.message).toMatch(/Session not found/);
    const stream = await rawRequest(server.url, {
      method: "GET",
      headers: { Accept: "text/event-stream", "Mcp-Session-Id": "no-such-session" },
    });
    expect(stream.status).toBe(404);
  });

  it("answers 400 to a request without a session that is not an initialize", async () => {
    const response = await rawRequest(server.url, { headers: MCP_HEADERS, body: LIST_TOOLS });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).error.message).toContain("initialize");
  });

  it("answers 413 to a body over the limit, and 400 to one that is not JSON", async () => {
    const huge = JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/list",
      params: { pad: "x".repeat(2 * 1024 * 1024) },
    });
    const tooLarge = await rawRequest(server.url, { headers: MCP_HEADERS, body: huge });
    expect(tooLarge.status).toBe(413);
    const garbled = await rawRequest(server.url, { headers: MCP_HEADERS, body: "{not json" });
    expect(garbled.status).toBe(400);
    expect(JSON.parse(garbled.body).error.code).toBe(-32700);
  });

  it("answers 404 off the MCP path and 405 to other methods", async () => {
    expect((await rawRequest(server.url.replace("/mcp", "/other"), { method: "GET" })).status).toBe(
      404,
    );
    expect((await rawRequest(server.url, { method: "PUT", body: "{}" })).status).toBe(405);
  });

  it("keeps serving after all of that, and forgets a session once the client ends it", async () => {
    const before = server.sessions();
    const client = await connectHttp(server.url);
    expect((await client.client.listTools()).tools.length).toBe(SHIPPED_TOOL_NAMES.length);
    expect(server.sessions()).toBe(before + 1);
    await client.transport.terminateSession();
    await client.close();
    expect(server.sessions()).toBe(before);
  });
});

describe("idle MCP sessions", () => {
  const INITIALIZE = JSON.stringify({
    jsonrpc: "2.0",
    id: 0,
    method: "initialize",
    params: {
      protocolVersion: "2025-11-25",
      capabilities: {},
      clientInfo: { name: "raw", version: "1" },
    },
  });

  it("closes a session nobody used for the idle timeout (no request open), so its id then gets 404", async () => {
    const { home, cleanup } = tempHome("signalbox-idle-");
    const { runtime } = openTestRuntime(home, createBuiltinWorkflows({ home }));
    const idle = await startHttpServer(runtime, { port: 0, idleSessionMs: 100 });
    try {
      const opened = await rawRequest(idle.url, { headers: MCP_HEADERS, body: INITIALIZE });
      const sessionId = String(opened.headers["mcp-session-id"]);
      expect(opened.status).toBe(200);
      expect(idle.sessions()).toBe(1);
      const used = await rawRequest(idle.url, {
        headers: { ...MCP_HEADERS, "mcp-session-id": sessionId },
        body: LIST_TOOLS,
      });
      expect(used.status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(idle.sessions()).toBe(0);
      const after = await rawRequest(idle.url, {
        headers: { ...MCP_HEADERS, "mcp-session-id": sessionId },
        body: LIST_TOOLS,
      });
      expect(after.status).toBe(404);
    } finally {
      await idle.close();
      await runtime.close();
      cleanup();
    }
  });

  it("keeps a session whose client holds a stream open", async () => {
    const { home, cleanup } = tempHome("signalbox-idle-");
    const { runtime } = openTestRuntime(home, createBuiltinWorkflows({ home }));
    const idle = await startHttpServer(runtime, { port: 0, idleSessionMs: 100 });
    try {
      const client = await connectHttp(idle.url);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(idle.sessions()).toBe(1);
      expect((await client.client.listTools()).tools.length).toBeGreaterThan(0);
      await client.close();
    } finally {
      await idle.close();
      await runtime.close();
      cleanup();
    }
  });
});

describe("startHttpServer", () => {
  it("refuses to bind beyond loopback without a token", async () => {
    const error = await startHttpServer(runtime, { host: "0.0.0.0", port: 0 }).catch(
      (caught: unknown) => caught,
    );
    expect(isSignalboxError(error, "CONFIG_INVALID")).toBe(true);
    expect((error as Error).message).toContain("without a token");
  });
});

describe("the endpoints mounted in a server of one's own (signalbox/server)", () => {
  it("answers MCP under the host application's routing", async () => {
    const { createServer } = await import("node:http");
    const { createHttpHandler } = await import("../../src/server.ts");
    const handler = createHttpHandler(runtime);
    const own = createServer((request, response) => {
      if (request.url?.startsWith("/mcp")) return void handler.handle(request, response);
      response.end("the host app");
    });
    await new Promise<void>((resolve) => own.listen(0, "127.0.0.1", resolve));
    const { port } = own.address() as { port: number };
    try {
      const client = await connectHttp(`http://127.0.0.1:${port}/mcp`);
      expect((await client.client.listTools()).tools.map((tool) => tool.name)).toContain(
        "support_triage",
      );
      await client.close();
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe("the host app");
    } finally {
      await handler.close();
      own.closeAllConnections();
      await new Promise((resolve) => own.close(resolve));
    }
  });
});
