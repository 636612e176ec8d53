import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnNode } from "../fixtures/child-process.ts";
import { tempHome } from "../support/runtime.ts";

// The real CLI exporting to a real OTLP/HTTP endpoint (a local collector that keeps what it gets).

let collector: Server;
let endpoint: string;
const received: { path: string; body: string }[] = [];
const homes: (() => void)[] = [];

beforeAll(async () => {
  collector = createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8").on("data", (chunk: string) => {
      body += chunk;
    });
    request.on("end", () => {
      received.push({ path: request.url ?? "", body });
      response.writeHead(200, { "Content-Type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => collector.close(resolve));
  for (const cleanup of homes) cleanup();
});

async function runRefund(environment: Record<string, string>) {
  const { home, cleanup } = tempHome("signalbox-otel-cli-");
  homes.push(cleanup);
  const args = ["bin/signalbox.js", "--home", home, "run", "support_triage"];
  const child = spawnNode([...args, "--input", "@examples/refund-request.json"], environment);
  const finished = await child.exited;
  expect(finished.code, finished.stderr).toBe(0);
}

const spanNames = (body: string) =>
  (
    JSON.parse(body) as {
      resourceSpans: { scopeSpans: { spans: { name: string }[] }[] }[];
    }
  ).resourceSpans.flatMap((resource) =>
    resource.scopeSpans.flatMap((scope) => scope.spans.map((span) => span.name)),
  );

describe("signalbox with an OTLP endpoint", () => {
  it("exports the run's spans when OTEL_EXPORTER_OTLP_ENDPOINT is set, and nothing without it", async () => {
    await runRefund({});
    expect(received).toEqual([]);
    await runRefund({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint });
    expect(received.map((request) => request.path)).toContain("/v1/traces");
    const names = received.flatMap((request) => spanNames(request.body));
    expect(names).toContain("run support_triage");
    expect(names).toEqual(expect.arrayContaining(["node classify_intent", "node approve_refund"]));
  });
});
