import { describe, expect, it, vi } from "vitest";
import { ErrorCode, SignalboxError } from "../../src/errors.ts";
import {
  approvalRecord,
  type ContractHarness,
  claimedRun,
  expectFencedOut,
  expectLeaseLost,
  holds,
  newRun,
  reclaimedRun,
  sleep,
  waitingRun,
} from "./run-store-fixtures.ts";

/** Claims, leases, settling, cancelling, the lease sweeper and run listing. */
export function describeRunContract(h: ContractHarness): void {
  describe("claims and leases", () => {
    it("claims a queued run: running, owned, leased, epoch + 1; nobody else can claim it", async () => {
      const store = h.store();
      const id = h.unique("claim");
      const created = await store.createRun(newRun(id));
      expect(created).toMatchObject({ status: "queued", owner: null, epoch: 0, leaseUntil: null });
      const run = await store.claimRun(id, { owner: "worker-a", leaseMs: 60_000 });
      expect(run).toMatchObject({ status: "running", owner: "worker-a", epoch: 1 });
      expect(Date.parse(run?.leaseUntil ?? "")).toBeGreaterThan(Date.parse(created.createdAt));
      expect(await store.claimRun(id, { owner: "worker-b", leaseMs: 60_000 })).toBeUndefined();
      expect(await holds(store, { runId: id, owner: "worker-a", epoch: 1 })).toBe(true);
    });

    it("refuses a second run with the same id: STORE_ERROR naming the id, the first run untouched", async () => {
      const store = h.store();
      const id = h.unique("duplicate");
      const first = await store.createRun(newRun(id));
      const error = await store.createRun(newRun(id, { workflow: "other" })).catch((e) => e);
      expect(error).toBeInstanceOf(SignalboxError);
      expect(error).toMatchObject({ code: ErrorCode.StoreError, data: { runId: id } });
      expect((error as Error).message).toContain(`a run with id ${id} already exists`);
      expect(await store.getRun(id)).toEqual(first);
    });

    it("creates a run already claimed (epoch 1, leased) for a starter that drives it itself", async () => {
      const store = h.store();
      const id = h.unique("born-claimed");
      const run = await store.createRun(
        newRun(id, { claim: { owner: "starter", leaseMs: 60_000 } }),
      );
      expect(run).toMatchObject({ status: "running", owner: "starter", epoch: 1 });
      expect(Date.parse(run.leaseUntil ?? "")).toBeGreaterThan(Date.parse(run.createdAt));
      expect(await holds(store, { runId: id, owner: "starter", epoch: 1 })).toBe(true);
      expect(await store.claimRun(id, { owner: "worker-b", leaseMs: 60_000 })).toBeUndefined();
      expect(await store.claimableRuns(1000)).not.toContain(id);
    });

    it("lets exactly one of ten concurrent claims win", async () => {
      const store = h.store();
      const id = h.unique("race");
      await store.createRun(newRun(id));
      const owners = Array.from({ length: 10 }, (_, index) => `worker-${index}`);
      const claims = await Promise.all(
        owners.map((owner) => store.claimRun(id, { owner, leaseMs: 60_000 })),
      );
      const winners = claims.filter((claim) => claim !== undefined);
      expect(winners).toHaveLength(1);
      expect(await store.getRun(id)).toMatchObject({ owner: winners[0]?.owner, epoch: 1 });
    });

    it("lets a run be claimed again once its lease ran out, with the next epoch", async () => {
      const store = h.store();
      const id = h.unique("expire");
      const { lease } = await claimedRun(store, id, { leaseMs: 20 });
      await sleep(80);
      const next = await store.claimRun(id, { owner: "worker-b", leaseMs: 60_000 });
      expect(next).toMatchObject({ status: "running", owner: "worker-b", epoch: 2 });
      expect(await store.renewLease(lease, 60_000)).toBe(false);
      expect(await store.getRun(id)).toMatchObject({
        owner: "worker-b",
        leaseUntil: next?.leaseUntil,
      });
    });

    it("measures leases on the store's clock, not the process's", async () => {
      const store = h.store();
      const id = h.unique("clock");
      await store.createRun(newRun(id));
      const realNow = Date.now();
      vi.useFakeTimers({ toFake: ["Date"], now: new Date("2000-01-01T00:00:00.000Z") });
      try {
        const run = await store.claimRun(id, { owner: "worker-a", leaseMs: 60_000 });
        expect(Date.parse(run?.leaseUntil ?? "")).toBeGreaterThan(realNow + 30_000);
        expect(await store.claimRun(id, { owner: "worker-b", leaseMs: 60_000 })).toBeUndefined();
      } finally {
        vi.useRealTimers();
      }
    });

    it("extends a held lease, and reports one lost to a later claim as lost", async () => {
      const store = h.store();
      const { run, lease } = await claimedRun(store, h.unique("renew"), { leaseMs: 1_000 });
      expect(await store.renewLease(lease, 120_000)).toBe(true);
      const renewed = await store.getRun(run.id);
      expect(Date.parse(renewed?.leaseUntil ?? "")).toBeGreaterThan(
        Date.parse(run.leaseUntil ?? ""),
      );
      const { stale, current } = await reclaimedRun(store, h.unique("renew-lost"));
      expect(await store.renewLease(stale, 60_000)).toBe(false);
      expect(await holds(store, stale)).toBe(false);
      expect(await holds(store, current)).toBe(true);
    });

    it("does not claim a waiting, finished or missing run", async () => {
      const store = h.store();
      const waiting = h.unique("waiting");
      await waitingRun(store, waiting, h.unique("approval"));
      const done = await claimedRun(store, h.unique("done"));
      await store.settleRun(done.lease, { status: "succeeded" });
      for (const id of [waiting, done.run.id, h.unique("missing")]) {
        expect(await store.claimRun(id, { owner: "worker-b", leaseMs: 60_000 })).toBeUndefined();
      }
    });

    it("leaves a running run that no worker claimed (a chat turn) alone", async () => {
      const store = h.store();
      const id = h.unique("chat");
      await store.createRun(newRun(id, { status: "running" }));
      expect(await store.claimRun(id, { owner: "worker-b", leaseMs: 60_000 })).toBeUndefined();
      expect(await store.claimableRuns(10_000)).not.toContain(id);
      expect(await store.requeueExpired()).not.toContain(id);
      const updated = await store.updateRun(id, { status: "succeeded", output: { reply: "hi" } });
      expect(updated).toMatchObject({ status: "succeeded", output: { reply: "hi" }, epoch: 0 });
    });

    it("lists claimable runs oldest first: queued and expired, not held or waiting", async () => {
      const store = h.store();
      const older = h.unique("older");
      await store.createRun(newRun(older));
      await sleep(5);
      const expired = h.unique("lapsed");
      await claimedRun(store, expired, { leaseMs: 20 });
      const held = h.unique("held");
      await claimedRun(store, held);
      const waiting = h.unique("waits");
      await waitingRun(store, waiting, h.unique("approval"));
      await sleep(80);
      const ids = await store.claimableRuns(10_000);
      expect(ids).toContain(older);
      expect(ids).toContain(expired);
      expect(ids.indexOf(older)).toBeLessThan(ids.indexOf(expired));
      expect(ids).not.toContain(held);
      expect(ids).not.toContain(waiting);
    });

    it("requeues runs whose lease ran out, and only those", async () => {
      const store = h.store();
      const { lease: stale } = await claimedRun(store, h.unique("swept"), { leaseMs: 20 });
      const held = await claimedRun(store, h.unique("kept"));
      await sleep(80);
      const requeued = await store.requeueExpired();
      expect(requeued).toContain(stale.runId);
      expect(requeued).not.toContain(held.run.id);
      expect(await store.getRun(stale.runId)).toMatchObject({ status: "queued", owner: null });
      await expectFencedOut(store, stale);
      expect(
        await store.claimRun(stale.runId, { owner: "worker-b", leaseMs: 60_000 }),
      ).toMatchObject({
        epoch: 2,
      });
    });
  });

  describe("settling and cancelling", () => {
    it("settles a run: final status, output and error; owner and lease cleared; then fenced", async () => {
      const store = h.store();
      const { run, lease } = await claimedRun(store, h.unique("settle"));
      const settled = await store.settleRun(lease, {
        status: "failed",
        output: { partial: 1 },
        error: "boom",
      });
      expect(settled).toMatchObject({
        status: "failed",
        output: { partial: 1 },
        error: "boom",
        owner: null,
      });
      expect(settled.leaseUntil).toBeNull();
      expect(settled.finishedAt).not.toBeNull();
      expect(settled.epoch).toBe(run.epoch);
      await expectFencedOut(store, lease);
    });

    it("keeps a failure as a structured record (code, message, node, details) through a read", async () => {
      const store = h.store();
      const fresh = await store.createRun(newRun(h.unique("fresh")));
      expect(fresh.failure).toBeNull();
      const { lease } = await claimedRun(store, h.unique("failure"));
      const failure = {
        code: "STEP_FAILED",
        message: "the payment service said no",
        node: "issue_refund",
        details: { name: "PaymentError", attempts: 3, nested: { ok: false } },
      };
      await store.settleRun(lease, { status: "compensated", error: failure.message, failure });
      const read = await store.getRun(lease.runId);
      expect(read?.failure).toEqual(failure);
      expect(read?.error).toBe(failure.message);
      const listed = await store.listRuns({ idPrefix: lease.runId });
      expect(listed[0]?.failure).toEqual(failure);
    });

    it("a run that ends closes its pending approvals in the same step (expired, by run-end)", async () => {
      const store = h.store();
      const id = h.unique("ends-asking");
      const approvalId = h.unique("approval");
      const { lease } = await claimedRun(store, id);
      await store.createApproval(approvalRecord(id, approvalId), lease);
      await store.settleRun(lease, { status: "failed", error: "lost the connection" });
      expect(await store.getApproval(approvalId)).toMatchObject({
        status: "expired",
        decidedBy: "run-end",
        comment: "the run ended failed before a decision",
      });
      expect(await store.listApprovals({ status: "pending", runId: id })).toEqual([]);
    });

    it("pausing (waiting) keeps the pending approval", async () => {
      const store = h.store();
      const id = h.unique("pauses");
      const approvalId = h.unique("approval");
      const { lease } = await claimedRun(store, id);
      await store.createApproval(approvalRecord(id, approvalId), lease);
      await store.settleRun(lease, { status: "waiting" });
      expect(await store.getApproval(approvalId)).toMatchObject({ status: "pending" });
    });

    it("keeps who asked for a run (null when nobody was named)", async () => {
      const store = h.store();
      const named = await store.createRun({ ...newRun(h.unique("named")), requestedBy: "ann" });
      expect(named.requestedBy).toBe("ann");
      expect((await store.getRun(named.id))?.requestedBy).toBe("ann");
      expect((await store.createRun(newRun(h.unique("nobody")))).requestedBy).toBeNull();
    });

    it("a settlement without a failure leaves the stored one alone; cancel stores CANCELLED", async () => {
      const store = h.store();
      const { lease } = await claimedRun(store, h.unique("keep"));
      await store.settleRun(lease, { status: "succeeded" });
      expect((await store.getRun(lease.runId))?.failure).toBeNull();
      const id = h.unique("cancel-failure");
      await store.createRun(newRun(id));
      const cancelled = await store.cancelRun(id, "stopped by ann");
      expect(cancelled?.failure).toEqual({
        code: "CANCELLED",
        message: "stopped by ann",
        node: null,
        details: {},
      });
    });

    it("hands a run back as queued; the next claim raises the epoch", async () => {
      const store = h.store();
      const { lease } = await claimedRun(store, h.unique("handback"));
      const queued = await store.settleRun(lease, { status: "queued" });
      expect(queued).toMatchObject({ status: "queued", owner: null, finishedAt: null });
      const again = await store.claimRun(lease.runId, { owner: "worker-b", leaseMs: 60_000 });
      expect(again).toMatchObject({ owner: "worker-b", epoch: 2 });
      await expectLeaseLost(store.settleRun(lease, { status: "succeeded" }));
    });

    it("fences off the old driver after another worker's claim", async () => {
      const store = h.store();
      const { stale, current } = await reclaimedRun(store, h.unique("fenced"));
      await expectFencedOut(store, stale);
      expect(await store.getRun(stale.runId)).toMatchObject({ owner: current.owner, epoch: 2 });
    });

    it("cancels in one step: cancelled, epoch + 1, pending approvals expired by cancel", async () => {
      const store = h.store();
      const id = h.unique("cancel");
      const approvalId = h.unique("approval");
      const { lease } = await claimedRun(store, id);
      await store.createApproval(approvalRecord(id, approvalId), lease);
      const cancelled = await store.cancelRun(id, "stopped by ann");
      expect(cancelled).toMatchObject({
        status: "cancelled",
        owner: null,
        epoch: 2,
        error: "stopped by ann",
      });
      expect(cancelled?.finishedAt).not.toBeNull();
      expect(await store.getApproval(approvalId)).toMatchObject({
        status: "expired",
        decidedBy: "cancel",
        comment: "stopped by ann",
      });
      await expectFencedOut(store, lease);
      expect(await store.cancelRun(id, "again")).toBeUndefined();
      expect(await store.cancelRun(h.unique("missing"), "nothing")).toBeUndefined();
    });

    it("cancels queued and waiting runs too, but not finished ones", async () => {
      const store = h.store();
      const queued = h.unique("queued");
      await store.createRun(newRun(queued));
      const waiting = h.unique("waiting");
      await waitingRun(store, waiting, h.unique("approval"));
      const done = await claimedRun(store, h.unique("done"));
      await store.settleRun(done.lease, { status: "succeeded" });
      expect(await store.cancelRun(queued, "r")).toMatchObject({ status: "cancelled", epoch: 1 });
      expect(await store.cancelRun(waiting, "r")).toMatchObject({ status: "cancelled", epoch: 2 });
      expect(await store.cancelRun(done.run.id, "r")).toBeUndefined();
      expect(await store.getRun(done.run.id)).toMatchObject({ status: "succeeded" });
    });
  });

  describe("listing runs", () => {
    it("filters by status, workflow, parent and creation time; newest first; limited", async () => {
      const store = h.store();
      const workflow = h.unique("wf");
      const parent = h.unique("parent");
      const ids = ["a", "b", "c"].map((suffix) => `${parent}-${suffix}`);
      const first = await store.createRun(newRun(ids[0] ?? "", { workflow }));
      for (const id of ids.slice(1)) {
        await sleep(5);
        await store.createRun(newRun(id, { workflow, parentRunId: parent }));
      }
      await store.claimRun(ids[2] ?? "", { owner: "worker-a", leaseMs: 60_000 });
      const listed = (filter: Parameters<typeof store.listRuns>[0]) =>
        store.listRuns({ workflow, ...filter }).then((runs) => runs.map((run) => run.id));
      expect(await listed({})).toEqual([...ids].reverse());
      expect(await listed({ status: "queued" })).toEqual([ids[1], ids[0]]);
      expect(await listed({ status: ["running", "waiting"] })).toEqual([ids[2]]);
      expect(await listed({ parentRunId: parent })).toEqual([ids[2], ids[1]]);
      expect(await listed({ createdAfter: first.createdAt })).toEqual([ids[2], ids[1]]);
      expect(await listed({ limit: 1 })).toEqual([ids[2]]);
      expect(await store.listRuns({ workflow: h.unique("none") })).toEqual([]);
    });

    it("finds runs by the start of their id, taking % and _ literally", async () => {
      const store = h.store();
      const prefix = h.unique("pre");
      for (const id of [`${prefix}-x1`, `${prefix}-x2`, `${prefix}_y`])
        await store.createRun(newRun(id));
      const ids = async (idPrefix: string) =>
        (await store.listRuns({ idPrefix })).map((run) => run.id).sort();
      expect(await ids(`${prefix}-x`)).toEqual([`${prefix}-x1`, `${prefix}-x2`]);
      expect(await ids(`${prefix}_`)).toEqual([`${prefix}_y`]);
      expect(await ids(`${prefix}%`)).toEqual([]);
    });
  });
}
