import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { CompiledWorkflow } from "../../src/graph/workflow.ts";
import { defineWorkflow } from "../../src/graph/workflow.ts";
import type { Runtime } from "../../src/runtime/runtime.ts";
import { type SignalboxHttpServer, startHttpServer } from "../../src/server/http-server.ts";
import { demoTriggers } from "../../src/triggers/demo-triggers.ts";
import { createWebhookReceiver } from "../../src/triggers/webhook-receiver.ts";
import { createBuiltinWorkflows } from "../../src/workflows/index.ts";
import { openTestRuntime, tempHome } from "../support/runtime.ts";

// Webhooks over a real socket: serve's HTTP server, fetch as the sender.
const SECRET = `whsec_${randomBytes(24).toString("base64")}`;
const GITHUB_SECRET = "a-github-secret-of-some-length";
let runtime: Runtime;
let server: SignalboxHttpServer;
let cleanup: () => void;

const echo = defineWorkflow({
  name: "echo_ticket",
  description: "echoes a ticket's title",
  version: "1",
  input: z.object({ title: z.string().min(1, "the title is empty"), priority: z.number().int() }),
  output: z.object({ title: z.string() }),
})
  .step("finish", { run: async (state) => ({ output: { title: state.input.title } }) })
  .compile();

beforeAll(async () => {
  const temp = tempHome("signalbox-hooks-");
  cleanup = temp.cleanup;
  const workflows = [...createBuiltinWorkflows({ home: temp.home }), echo as CompiledWorkflow];
  ({ runtime } = openTestRuntime(temp.home, workflows));
  const webhooks = createWebhookReceiver(runtime, [
    ...(demoTriggers(SECRET).webhooks ?? []),
    {
      name: "tickets",
      workflow: "echo_ticket",
      secret: GITHUB_SECRET,
      signature: "github",
      map: (body) => {
        const issue = (body as { issue?: { title?: unknown; labels?: unknown[] } }).issue;
        if (issue === undefined) throw new Error("expected an issue event (body.issue)");
        return { title: issue.title, priority: issue.labels?.length ?? 0 };
      },
    },
  ]);
  server = await startHttpServer(runtime, { port: 0, webhooks });
});

afterAll(async () => {
  await server?.close();
  await runtime?.close();
  cleanup();
});

const hookUrl = (name: string) => new URL(`/hooks/${name}`, server.url).toString();

function signed(body: string, options: { id?: string; at?: Date; secret?: string } = {}) {
  const id = options.id ?? `msg_${randomUUID()}`;
  const at = options.at ?? new Date();
  const signature = new Webhook(options.secret ?? SECRET).sign(id, at, body);
  return {
    id,
    headers: {
      "content-type": "application/json",
      "webhook-id": id,
      "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
      "webhook-signature": signature,
    },
  };
}

async function post(name: string, body: string, headers: Record<string, string>) {
  const response = await fetch(hookUrl(name), { method: "POST", body, headers });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const ticket = JSON.stringify({ customerId: "C-1001", message: "Where is my order?" });
const runsOf = async (workflow: string) => (await runtime.list({ workflow, limit: 1000 })).length;

describe("Standard Webhooks on POST /hooks/<name>", () => {
  it("starts one run for a good signature: 202 with its id, and the run says what started it", async () => {
    const { id, headers } = signed(ticket);
    const answer = await post("support", ticket, headers);
    expect(answer.status).toBe(202);
    const runId = String(answer.body.runId);
    const run = await runtime.wait(runId);
    expect(run).toMatchObject({ workflow: "support_triage", trigger: "webhook" });
    expect(run.input).toEqual({ customerId: "C-1001", message: "Where is my order?" });
    const details = await runtime.get(runId);
    expect(details.startedBy).toMatchObject({
      kind: "webhook",
      name: "support",
      key: id,
      details: { deliveryId: id },
    });
  });

  it("maps the body: the demo hook also reads customer.id and text", async () => {
    const body = JSON.stringify({ customer: { id: "C-1002" }, text: "Hello there" });
    const answer = await post("support", body, signed(body).headers);
    expect(answer.status).toBe(202);
    const run = await runtime.wait(String(answer.body.runId));
    expect(run.input).toEqual({ customerId: "C-1002", message: "Hello there" });
  });

  it("refuses a bad signature, a wrong secret and missing headers with 401, starting nothing", async () => {
    const before = await runsOf("support_triage");
    const tampered = signed(ticket);
    const other = JSON.stringify({ customerId: "C-1001", message: "Refund everything" });
    expect((await post("support", other, tampered.headers)).status).toBe(401);
    const wrongSecret = signed(ticket, { secret: `whsec_${randomBytes(24).toString("base64")}` });
    expect((await post("support", ticket, wrongSecret.headers)).status).toBe(401);
    const unsigned = await post("support", ticket, { "content-type": "application/json" });
    expect(unsigned.status).toBe(401);
    expect(String(unsigned.body.error)).toMatch(/signature refused: Missing required headers/);
    expect(await runsOf("support_triage")).toBe(before);
  });

  it("refuses a timestamp more than 5 minutes away, past or future, with 401", async () => {
    const before = await runsOf("support_triage");
    const stale = signed(ticket, { at: new Date(Date.now() - 6 * 60_000) });
    const staleAnswer = await post("support", ticket, stale.headers);
    expect(staleAnswer.status).toBe(401);
    expect(String(staleAnswer.body.error)).toMatch(/too old/);
    const future = signed(ticket, { at: new Date(Date.now() + 6 * 60_000) });
    expect((await post("support", ticket, future.headers)).status).toBe(401);
    expect(await runsOf("support_triage")).toBe(before);
  });

  it("answers a replayed delivery id with the first run's id and starts nothing more", async () => {
    const first = signed(ticket);
    const answer = await post("support", ticket, first.headers);
    expect(answer.status).toBe(202);
    const before = await runsOf("support_triage");
    const replay = await post("support", ticket, first.headers);
    expect(replay).toEqual({ status: 200, body: { runId: answer.body.runId, duplicate: true } });
    // Re-signed now with the same id (a sender's retry): still the first run.
    const retry = signed(ticket, { id: first.id });
    expect((await post("support", ticket, retry.headers)).body.runId).toBe(answer.body.runId);
    expect(await runsOf("support_triage")).toBe(before);
  });

  it("starts exactly one run when the same delivery arrives many times at once", async () => {
    const before = await runsOf("support_triage");
    const delivery = signed(ticket);
    const answers = await Promise.all(
      Array.from({ length: 12 }, () => post("support", ticket, delivery.headers)),
    );
    expect(answers.filter((answer) => answer.status === 202)).toHaveLength(1);
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(11);
    expect(new Set(answers.map((answer) => answer.body.runId)).size).toBe(1);
    expect(await runsOf("support_triage")).toBe(before + 1);
  });

  it("answers 422 naming the field when the mapped input does not fit the workflow", async () => {
    const before = await runsOf("support_triage");
    const body = JSON.stringify({ customerId: "C-1001" });
    const answer = await post("support", body, signed(body).headers);
    expect(answer.status).toBe(422);
    expect(String(answer.body.error)).toMatch(/message: /);
    const blank = JSON.stringify({ customerId: "C-1001", message: "   " });
    const blankAnswer = await post("support", blank, signed(blank).headers);
    expect(blankAnswer.status).toBe(422);
    expect(String(blankAnswer.body.error)).toContain("message: the message is empty");
    expect(await runsOf("support_triage")).toBe(before);
  });

  it("answers 400 for a signed body that is not JSON, 404 for an unknown hook, 405 for GET", async () => {
    const text = "not json {";
    expect((await post("support", text, signed(text).headers)).status).toBe(400);
    const unknown = await post("nope", ticket, signed(ticket).headers);
    expect(unknown.status).toBe(404);
    expect(String(unknown.body.error)).toContain("webhooks here: support, tickets");
    expect((await fetch(hookUrl("support"))).status).toBe(405);
  });
});

describe("GitHub-style X-Hub-Signature-256", () => {
  const github = (body: string, secret = GITHUB_SECRET, delivery = randomUUID()) => ({
    "content-type": "application/json",
    "x-github-delivery": delivery,
    "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`,
  });

  it("starts a run through the mapping for a good signature, once per delivery", async () => {
    const body = JSON.stringify({ issue: { title: "Printer on fire", labels: ["a", "b"] } });
    const headers = github(body);
    const answer = await post("tickets", body, headers);
    expect(answer.status).toBe(202);
    const run = await runtime.wait(String(answer.body.runId));
    expect(run).toMatchObject({ status: "succeeded", output: { title: "Printer on fire" } });
    expect(run.input).toEqual({ title: "Printer on fire", priority: 2 });
    expect((await post("tickets", body, headers)).body).toEqual({
      runId: answer.body.runId,
      duplicate: true,
    });
  });

  it("refuses a wrong HMAC with 401 and reports a failing mapping as 422", async () => {
    const body = JSON.stringify({ issue: { title: "x" } });
    expect((await post("tickets", body, github(body, "another-secret-entirely"))).status).toBe(401);
    const push = JSON.stringify({ ref: "refs/heads/main" });
    const answer = await post("tickets", push, github(push));
    expect(answer.status).toBe(422);
    expect(String(answer.body.error)).toContain(
      'the mapping of webhook "tickets" failed: expected an issue event (body.issue)',
    );
    const untitled = JSON.stringify({ issue: { title: "" } });
    const invalid = await post("tickets", untitled, github(untitled));
    expect(invalid.status).toBe(422);
    expect(String(invalid.body.error)).toContain("title: the title is empty");
  });
});
