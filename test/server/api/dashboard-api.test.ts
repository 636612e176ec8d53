import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Runtime } from "../../../src/runtime/runtime.ts";
import { type SignalboxHttpServer, startHttpServer } from "../../../src/server/http-server.ts";
import type { RunRecord } from "../../../src/store/types.ts";
import { createBuiltinWorkflows } from "../../../src/workflows/index.ts";
import { writeEvalResult } from "../../fixtures/eval-result.ts";
import { openTestRuntime, tempHome } from "../../support/runtime.ts";

// The dashboard API over a real server, a real SQLite store and the shipped workflow.
let runtime: Runtime;
let server: SignalboxHttpServer;
let cleanup: () => void;
let base: string;
const runs: Record<"refund" | "large" | "legal", RunRecord> = {} as never;

const example = (name: string) =>
  JSON.parse(readFileSync(join("examples", `${name}.json`), "utf8")) as unknown;

beforeAll(async () => {
  const temp = tempHome("signalbox-api-");
  cleanup = temp.cleanup;
  ({ runtime } = openTestRuntime(temp.home, createBuiltinWorkflows({ home: temp.home })));
  runs.refund = await runtime.start("support_triage", example("refund-request"));
  runs.large = await runtime.start("support_triage", example("large-refund"), { dryRun: true });
  runs.legal = await runtime.start("support_triage", example("legal-threat"));
  writeEvalResult(temp.home, "eval-older", "2026-01-01T00:00:00.000Z");
  writeEvalResult(temp.home, "eval-newer", "2026-02-01T00:00:00.000Z");
  server = await startHttpServer(runtime, {
    port: 0,
    evalsDirectory: join(temp.home, "evals"),
  });
  base = server.url.replace(/\/mcp$/, "");
});

afterAll(async () => {
  await server?.close();
  await runtime?.close();
  cleanup();
});

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${path}`, { headers });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const ids = (body: Record<string, unknown>) => (body.runs as { id: string }[]).map((run) => run.id);

async function expectBadParameter(path: string, parameter: string) {
  const { status, body } = await get(path);
  expect(status, path).toBe(400);
  expect(body.error).toMatchObject({ code: "INPUT_INVALID", parameter });
  expect((body.error as { message: string }).message).toContain(parameter);
}

describe("GET /api/runs", () => {
  it("lists runs newest first and filters them", async () => {
    const all = await get("/api/runs");
    expect(all.status).toBe(200);
    expect(ids(all.body)).toEqual([runs.legal.id, runs.large.id, runs.refund.id]);
    expect(all.body.nextCursor).toBeNull();
    expect(ids((await get("/api/runs?status=waiting")).body)).toEqual([runs.large.id]);
    expect(ids((await get("/api/runs?status=succeeded,failed")).body)).toEqual([
      runs.legal.id,
      runs.refund.id,
    ]);
    expect(ids((await get("/api/runs?escalated=true")).body)).toEqual([runs.legal.id]);
    expect(ids((await get("/api/runs?dryRun=true")).body)).toEqual([runs.large.id]);
    expect(ids((await get("/api/runs?decidedBy=classifier")).body)).toEqual([
      runs.large.id,
      runs.refund.id,
    ]);
    expect(ids((await get("/api/runs?q=lawyer")).body)).toEqual([runs.legal.id]);
    expect(ids((await get("/api/runs?workflow=none")).body)).toEqual([]);
    expect(ids((await get(`/api/runs?until=${runs.refund.createdAt}`)).body)).toEqual([]);
  });

  it("says how long the server took (Server-Timing)", async () => {
    const response = await fetch(`${base}/api/runs?limit=1`);
    expect(response.headers.get("server-timing")).toMatch(/^app;dur=\d+\.\d{2}$/);
  });

  it("pages with the cursor of the previous page", async () => {
    const seen: string[] = [];
    let path = "/api/runs?limit=1";
    for (let page = 0; page < 5; page += 1) {
      const { body } = await get(path);
      seen.push(...ids(body));
      if (body.nextCursor === null) break;
      path = `/api/runs?limit=1&cursor=${body.nextCursor as string}`;
    }
    expect(seen).toEqual([runs.legal.id, runs.large.id, runs.refund.id]);
  });

  it("answers 400 naming the bad parameter", async () => {
    await expectBadParameter("/api/runs?status=bogus", "status");
    await expectBadParameter("/api/runs?limit=0", "limit");
    await expectBadParameter("/api/runs?limit=501", "limit");
    await expectBadParameter("/api/runs?since=yesterday", "since");
    await expectBadParameter("/api/runs?escalated=yes", "escalated");
    await expectBadParameter("/api/runs?decidedBy=oracle", "decidedBy");
    await expectBadParameter("/api/runs?cursor=garbage", "cursor");
    await expectBadParameter("/api/runs?colour=red", "colour");
  });
});

describe("GET /api/runs/:id", () => {
  it("explains a run: decisions, path through the graph, events, effects", async () => {
    const { status, body } = await get(`/api/runs/${runs.refund.id}`);
    expect(status).toBe(200);
    expect(body.run).toMatchObject({ id: runs.refund.id, status: "succeeded" });
    const decisions = body.decisions as { node: string; decidedBy: string; reason: string }[];
    // Reply drafting became the draft_reply sub-workflow, its decisions logged under its
    // step, and a dispatch_reply route follows it (issue 16).
    expect(decisions.map((decision) => decision.node)).toEqual([
      "classify_intent",
      "draft_reply/review_draft",
      "dispatch_reply",
      "approve_refund",
    ]);
    expect(decisions.every((decision) => decision.reason.length > 0)).toBe(true);
    const graph = body.graph as { path: string[]; mermaid: string; nodes: unknown[] };
    expect(graph.path[0]).toBe("lookup_customer");
    expect(graph.path).toEqual(expect.arrayContaining(["classify_intent", "approve_refund"]));
    expect(graph.path.indexOf("classify_intent")).toBeLessThan(
      graph.path.indexOf("approve_refund"),
    );
    expect(graph.path.at(-1)).toBe("end");
    expect(graph.mermaid).toMatch(/class [a-z_,]*classify_intent[a-z_,]* taken/);
    const events = body.events as { seq: number; event: { type: string } }[];
    expect(events[0]?.event.type).toBe("run-start");
    expect(events.at(-1)?.event.type).toBe("run-end");
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(body.effects).toEqual(expect.any(Array));
    expect(body.parent).toBeNull();
    expect(body.children).toEqual([]);
  });

  it("answers 404 for an unknown run and 405 for a wrong method", async () => {
    expect((await get("/api/runs/no-such-run")).status).toBe(404);
    const response = await fetch(`${base}/api/runs`, { method: "DELETE" });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET");
  });

  it("streams a finished run's events in order, then ends", async () => {
    const response = await fetch(`${base}/api/runs/${runs.refund.id}/events?after=1`);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const text = await response.text();
    const seqs = [...text.matchAll(/^id: (\d+)$/gm)].map((match) => Number(match[1]));
    expect(seqs[0]).toBe(2);
    expect(seqs).toEqual(seqs.map((_, index) => index + 2));
    expect(text.trimEnd().endsWith('event: end\ndata: {"status":"succeeded"}')).toBe(true);
    await expectBadParameter(`/api/runs/${runs.refund.id}/events?after=-1`, "after");
  });
});

describe("approvals", () => {
  it("lists the waiting approval and decides it under the caller's name", async () => {
    const inbox = await get("/api/approvals");
    const entries = inbox.body.approvals as { approval: { id: string }; run: { id: string } }[];
    expect(entries.map((entry) => entry.run.id)).toEqual([runs.large.id]);
    const approvalId = entries[0]?.approval.id ?? "";
    const bad = await fetch(`${base}/api/approvals/${approvalId}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ decision: "maybe" }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { parameter: string } }).error.parameter).toBe(
      "decision",
    );
    const decided = await fetch(`${base}/api/approvals/${approvalId}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Signalbox-User": "alice" },
      body: JSON.stringify({ decision: "approved", comment: "checked the order" }),
    });
    expect(decided.status).toBe(200);
    const answer = (await decided.json()) as { approval: Record<string, unknown> };
    expect(answer.approval).toMatchObject({
      status: "approved",
      decidedBy: "alice",
      comment: "checked the order",
    });
    const finished = await runtime.wait(runs.large.id);
    expect(finished.status).toBe("succeeded");
    const again = await fetch(`${base}/api/approvals/${approvalId}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ decision: "rejected" }),
    });
    expect(again.status).toBe(409);
    expect((await get("/api/approvals")).body.approvals).toEqual([]);
    const approved = await get("/api/approvals?status=approved");
    expect((approved.body.approvals as unknown[]).length).toBe(1);
    await expectBadParameter("/api/approvals?status=done", "status");
    expect((await fetch(`${base}/api/approvals/nope`, { method: "POST", body: "{}" })).status).toBe(
      400,
    );
  });
});

describe("workflows, outcomes and evals", () => {
  it("describes each workflow: graph, input schema, versions, outcome stats", async () => {
    const { body } = await get("/api/workflows");
    const [workflow] = body.workflows as Record<string, unknown>[];
    expect(workflow).toMatchObject({ name: "support_triage", versions: [expect.any(String)] });
    expect((workflow?.graph as { mermaid: string } | undefined)?.mermaid).toMatch(/^flowchart TD/);
    expect(workflow?.inputSchema).toMatchObject({ properties: { customerId: expect.anything() } });
    expect(workflow?.stats).toMatchObject({ runs: 3, escalated: 1 });
    await expectBadParameter("/api/workflows?since=soon", "since");
  });

  it("counts outcomes per workflow and day", async () => {
    const { body } = await get("/api/metrics/outcomes?workflow=support_triage");
    const days = body.days as Record<string, unknown>[];
    expect(days.reduce((sum, day) => sum + (day.volume as number), 0)).toBe(3);
    expect(days.reduce((sum, day) => sum + (day.escalated as number), 0)).toBe(1);
    expect(days.reduce((sum, day) => sum + (day.llmAvoided as number), 0)).toBeGreaterThan(0);
    const nodes = days.flatMap((day) => day.nodes as { node: string; p95Ms: number }[]);
    expect(nodes.map((node) => node.node)).toContain("classify_intent");
    expect(nodes.every((node) => node.p95Ms >= 0)).toBe(true);
    await expectBadParameter("/api/metrics/outcomes?until=later", "until");
  });

  it("lists saved eval results newest first and reads one", async () => {
    const { body } = await get("/api/evals");
    expect((body.evals as { id: string }[]).map((result) => result.id)).toEqual([
      "eval-newer",
      "eval-older",
    ]);
    const one = await get("/api/evals/eval-older");
    expect(one.body).toMatchObject({ id: "eval-older", suite: "support_triage_smoke" });
    expect((await get("/api/evals/missing")).status).toBe(404);
    expect((await get("/api/evals/%2E%2E%2Fsecret")).status).toBe(400);
  });
});

describe("the dashboard page", () => {
  it("serves the built page and its assets, same-origin only, and nothing else under /ui/", async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    const html = await page.text();
    expect(html).toContain('<script type="module" src="/ui/app.js"></script>');
    expect(html).not.toMatch(/https?:\/\//);
    const script = await fetch(`${base}/ui/app.js`);
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect((await script.text()).length).toBeGreaterThan(1000);
    expect((await fetch(`${base}/ui/../package.json`)).status).toBe(404);
    expect((await fetch(`${base}/ui/secret.txt`)).status).toBe(404);
  });
});

describe("security", () => {
  it("requires the bearer token when one is set, and checks Host", async () => {
    const guarded = await startHttpServer(runtime, { port: 0, token: "a-long-enough-secret" });
    const url = guarded.url.replace(/\/mcp$/, "");
    try {
      expect((await fetch(`${url}/api/runs`)).status).toBe(401);
      // The page holds no data: it loads, then asks for the token when the API says 401.
      expect((await fetch(`${url}/`)).status).toBe(200);
      const ok = await fetch(`${url}/api/runs`, {
        headers: { Authorization: "Bearer a-long-enough-secret" },
      });
      expect(ok.status).toBe(200);
    } finally {
      await guarded.close();
    }
    const foreign = await fetch(`${base}/api/runs`, { headers: { Origin: "http://evil.example" } });
    expect(foreign.status).toBe(403);
  });
});
