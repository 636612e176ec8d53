import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it, type OnTestFinishedHandler } from "vitest";
import { z } from "zod";
import { defineWorkflow } from "../../src/graph/workflow.ts";
import type { RunDetails } from "../../src/runtime/runtime.ts";
import { runCli } from "../fixtures/child-process.ts";
import { openTestRuntime, tempHome } from "../support/runtime.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The test's own `onTestFinished` (tests here may run concurrently); hooks run in reverse order. */
type OnFinished = (handler: OnTestFinishedHandler) => void;

/** A fresh data directory, removed when the test finishes. */
function home(onFinished: OnFinished): string {
  const { home: dir, cleanup } = tempHome("signalbox-approval-");
  onFinished(cleanup);
  return dir;
}

/** Rows of a table in the support system's database (`<home>/support.db`). */
function supportRows(dir: string, table: "refunds" | "outbox" | "handoffs") {
  const db = new Database(join(dir, "support.db"), { fileMustExist: true });
  try {
    return db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

/** Runs the CLI and parses its `--json` report. */
async function cliJson(args: readonly string[]) {
  const result = await runCli(args);
  expect(result.code, `signalbox ${args.join(" ")}\n${result.stderr}`).toBe(0);
  return JSON.parse(result.stdout) as RunDetails;
}

/** Starts the shipped support triage on the large refund example: it waits for approval. */
async function startLargeRefund(dir: string) {
  const started = await cliJson([
    "--home",
    dir,
    "run",
    "support_triage",
    "--input",
    "@examples/large-refund.json",
    "--json",
  ]);
  expect(started.run.status).toBe("waiting");
  expect(started.approvals).toHaveLength(1);
  expect(started.approvals[0]).toMatchObject({
    node: "approve_refund",
    status: "pending",
    decidedBy: null,
    decidedAt: null,
    comment: null,
  });
  expect(started.approvals[0]?.message).toContain("1200.00 EUR for order #5031");
  expect(started.effects).toEqual([]); // nothing written while it waits
  expect(supportRows(dir, "refunds")).toEqual([]);
  return started.run.id;
}

describe("approvals across processes with the real CLI (support triage)", () => {
  it.concurrent("approve in a second process: the refund is issued once and the audit trail kept", async ({
    expect,
    onTestFinished,
  }) => {
    const dir = home(onTestFinished);
    const runId = await startLargeRefund(dir);

    const before = new Date().toISOString();
    const approved = await cliJson([
      "--home",
      dir,
      "approve",
      runId,
      "--by",
      "alice",
      "--comment",
      "ok",
      "--json",
    ]);
    const after = new Date().toISOString();
    expect(approved.run.status).toBe("succeeded");
    expect(approved.run.output).toMatchObject({
      intent: "refund",
      action: "refunded",
      refund: { orderId: "5031", amount: 1200 },
      handoffReason: null,
    });

    // The refund exists exactly once, under the idempotency key the journal recorded.
    const refundEffect = approved.effects.find((effect) => effect.node === "issue_refund");
    expect(refundEffect?.status).toBe("completed");
    const refunds = supportRows(dir, "refunds");
    expect(refunds).toHaveLength(1);
    expect(refunds[0]).toMatchObject({
      idempotency_key: refundEffect?.key,
      customer_id: "C-1005",
      order_id: "5031",
      amount: 1200,
      status: "issued",
    });
    expect(supportRows(dir, "outbox")).toHaveLength(1);
    expect(supportRows(dir, "handoffs")).toEqual([]);

    // The audit trail, as a third process shows it.
    const shown = await cliJson(["--home", dir, "show", runId, "--json"]);
    expect(shown.run).toMatchObject({ id: runId, status: "succeeded" });
    expect(shown.approvals).toHaveLength(1);
    const [approval] = shown.approvals;
    expect(approval).toMatchObject({
      node: "approve_refund",
      status: "approved",
      decidedBy: "alice",
      comment: "ok",
    });
    expect(approval?.decidedAt).toBeDefined();
    expect(approval?.decidedAt && approval.decidedAt >= before && approval.decidedAt <= after).toBe(
      true,
    );
    const approvalDecisions = shown.decisions.filter((decision) => decision.kind === "approval");
    expect(approvalDecisions).toMatchObject([
      { node: "approve_refund", choice: "approved", decidedBy: "human", reason: "ok" },
    ]);

    // Approving it again: exit code 4 (invalid transition), a clear message, nothing done twice.
    const again = await runCli(["--home", dir, "approve", runId, "--by", "mallory", "--json"]);
    expect(again.code).toBe(4);
    expect(again.stdout).toBe("");
    expect(again.stderr).toContain(
      `run ${runId} is succeeded, not waiting for approval; nothing to approve`,
    );
    expect(supportRows(dir, "refunds")).toHaveLength(1);
    const unchanged = await cliJson(["--home", dir, "show", runId, "--json"]);
    expect(unchanged.approvals).toEqual(shown.approvals);
  });

  it.concurrent("reject in a second process: the run hands off to a person and issues no refund", async ({
    expect,
    onTestFinished,
  }) => {
    const dir = home(onTestFinished);
    const runId = await startLargeRefund(dir);

    const rejected = await cliJson([
      "--home",
      dir,
      "approve",
      runId,
      "--reject",
      "--by",
      "bob",
      "--comment",
      "too large",
      "--json",
    ]);
    expect(rejected.run.status).toBe("succeeded");
    expect(rejected.run.output).toMatchObject({
      intent: "refund",
      action: "escalated",
      refund: null,
      handoffReason: "refund approval rejected: too large",
    });
    expect(rejected.approvals).toMatchObject([
      { node: "approve_refund", status: "rejected", decidedBy: "bob", comment: "too large" },
    ]);
    expect(rejected.decisions.filter((decision) => decision.kind === "approval")).toMatchObject([
      { choice: "rejected", decidedBy: "human", reason: "too large" },
    ]);
    expect(rejected.effects.map((effect) => [effect.node, effect.status])).toEqual([
      ["hand_off", "completed"],
    ]);
    expect(supportRows(dir, "refunds")).toEqual([]);
    expect(supportRows(dir, "outbox")).toEqual([]);
    const handoffs = supportRows(dir, "handoffs");
    expect(handoffs).toHaveLength(1);
    expect(handoffs[0]).toMatchObject({
      idempotency_key: rejected.effects[0]?.key,
      customer_id: "C-1005",
      reason: "refund approval rejected: too large",
    });

    // What a person reading `show` sees.
    const shown = await runCli(["--home", dir, "show", runId]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain("approval approve_refund: rejected by bob at ");
    expect(shown.stdout).toContain(": too large");
  });
});

/** A small workflow whose approval expires after `deadlineMs`; each outcome leads somewhere else. */
function approvalWorkflow(name: string, deadlineMs: number) {
  return defineWorkflow({
    name,
    description: "asks before shipping a ticket",
    version: "1",
    input: z.object({ ticket: z.string() }),
    output: z.object({ ticket: z.string(), path: z.string() }),
  })
    .step("prepare", { run: () => ({}), next: "ok" })
    .approval("ok", {
      message: (state) => `ship ${state.input.ticket}?`,
      deadlineMs,
      on: { approved: "accept", rejected: "decline", expired: "lapse" },
    })
    .step("accept", {
      run: (state) => ({ output: { ticket: state.input.ticket, path: "approved" } }),
    })
    .step("decline", {
      run: (state) => ({ output: { ticket: state.input.ticket, path: "rejected" } }),
    })
    .step("lapse", {
      run: (state) => ({ output: { ticket: state.input.ticket, path: "expired" } }),
    })
    .compile();
}

const quick = approvalWorkflow("quick", 50);
const patient = approvalWorkflow("patient", 3_600_000);

/** A runtime over `<dir>/signalbox.db`, closed when the test finishes (before its home goes). */
function runtimeOn(dir: string, onFinished: OnFinished) {
  const opened = openTestRuntime(dir, [quick, patient]);
  onFinished(() => opened.runtime.close());
  return opened;
}

/** Waits until `deadline` (ISO) is in the past, as the runtime compares it. */
async function pastDeadline(deadline: string | null | undefined): Promise<void> {
  expect(deadline).toBeTypeOf("string");
  while (new Date().toISOString() <= (deadline as string)) await sleep(10);
}

describe("approval deadlines across runtime instances", () => {
  it("a decision after the deadline, from another runtime, resolves the approval as expired", async ({
    onTestFinished,
  }) => {
    const dir = home(onTestFinished);
    const first = runtimeOn(dir, onTestFinished);
    const waiting = await first.runtime.start("quick", { ticket: "T-1" });
    expect(waiting.status).toBe("waiting");
    const [pending] = await first.store.listApprovals({ runId: waiting.id });
    expect(pending).toMatchObject({ status: "pending", node: "ok" });
    await pastDeadline(pending?.deadline);

    const second = runtimeOn(dir, onTestFinished);
    const final = await second.runtime.approve(waiting.id, {
      decision: "approved",
      by: "alice",
      comment: "looks fine",
    });
    expect(final.status).toBe("succeeded");
    expect(final.output).toEqual({ ticket: "T-1", path: "expired" });

    const details = await second.runtime.get(waiting.id);
    expect(details.approvals).toHaveLength(1);
    expect(details.approvals[0]).toMatchObject({ status: "expired", decidedBy: "deadline" });
    expect(details.approvals[0]?.comment).toContain(`deadline ${pending?.deadline} passed`);
    expect(details.approvals[0]?.comment).toContain("alice");
    expect(details.decisions.filter((decision) => decision.kind === "approval")).toMatchObject([
      { node: "ok", choice: "expired", decidedBy: "default" },
    ]);
    // The first runtime sees the same outcome in the shared file.
    expect((await first.runtime.get(waiting.id)).run).toMatchObject({
      status: "succeeded",
      output: { ticket: "T-1", path: "expired" },
    });
    expect(
      second.events.filter((event) => event.type === "run-end" && event.runId === waiting.id),
    ).toMatchObject([{ status: "succeeded" }]);
    await expect(second.runtime.approve(waiting.id, { by: "alice" })).rejects.toMatchObject({
      code: "INVALID_TRANSITION",
    });
  });

  it("recover() on a third runtime expires overdue approvals and leaves the others waiting", async ({
    onTestFinished,
  }) => {
    const dir = home(onTestFinished);
    const first = runtimeOn(dir, onTestFinished);
    const decided = await first.runtime.start("quick", { ticket: "T-1" });
    const overdue = await first.runtime.start("quick", { ticket: "T-2" });
    const later = await first.runtime.start("patient", { ticket: "T-3" });
    expect([decided.status, overdue.status, later.status]).toEqual([
      "waiting",
      "waiting",
      "waiting",
    ]);
    const [overduePending] = await first.store.listApprovals({ runId: overdue.id });
    await pastDeadline(overduePending?.deadline);

    const second = runtimeOn(dir, onTestFinished);
    expect((await second.runtime.approve(decided.id, { by: "alice" })).output).toEqual({
      ticket: "T-1",
      path: "expired",
    });

    const third = runtimeOn(dir, onTestFinished);
    const touched = await third.runtime.recover();
    expect(touched.map((run) => [run.id, run.status, run.output])).toEqual([
      [overdue.id, "succeeded", { ticket: "T-2", path: "expired" }],
    ]);
    const details = await third.runtime.get(overdue.id);
    expect(details.approvals).toMatchObject([{ status: "expired", decidedBy: "deadline" }]);
    expect(details.decisions.filter((decision) => decision.kind === "approval")).toMatchObject([
      { node: "ok", choice: "expired", decidedBy: "default" },
    ]);

    // The approval whose deadline is still ahead is untouched and can still be decided.
    expect((await third.runtime.get(later.id)).run.status).toBe("waiting");
    expect(await third.store.listApprovals({ runId: later.id })).toMatchObject([
      { status: "pending", decidedBy: null },
    ]);
    expect(await third.runtime.recover()).toEqual([]);
    const approved = await third.runtime.approve(later.id, { by: "carol", comment: "go" });
    expect(approved).toMatchObject({
      status: "succeeded",
      output: { ticket: "T-3", path: "approved" },
    });
  });

  // Two processes recovering at once race for the same overdue approvals; both must settle.
  it("two recover() calls at once both settle, and each overdue approval expires once", async ({
    onTestFinished,
  }) => {
    const dir = home(onTestFinished);
    const first = runtimeOn(dir, onTestFinished);
    const runs = [
      await first.runtime.start("quick", { ticket: "T-1" }),
      await first.runtime.start("quick", { ticket: "T-2" }),
    ];
    for (const approval of await first.store.listApprovals({ status: "pending" }))
      await pastDeadline(approval.deadline);

    const second = runtimeOn(dir, onTestFinished);
    const third = runtimeOn(dir, onTestFinished);
    const [one, two] = await Promise.all([second.runtime.recover(), third.runtime.recover()]);
    expect([...one, ...two].map((run) => run.id).sort()).toEqual(runs.map((run) => run.id).sort());
    for (const run of runs) {
      const details = await first.runtime.get(run.id);
      expect(details.run.status).toBe("succeeded");
      expect(details.approvals).toMatchObject([{ status: "expired" }]);
    }
  });
});
