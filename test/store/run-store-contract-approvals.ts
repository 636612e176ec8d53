import { describe, expect, it } from "vitest";
import {
  approvalRecord,
  type ContractHarness,
  claimedRun,
  FUTURE,
  PAST,
  waitingRun,
} from "./run-store-fixtures.ts";

const decision = (status: "approved" | "rejected", by: string) => ({
  status,
  decidedBy: by,
  decidedAt: "2026-01-02T00:00:00.000Z",
  comment: `${status} by ${by}`,
});

/** Approval requests, the atomic decide-and-requeue, and the deadline sweeper. */
export function describeApprovalContract(h: ContractHarness): void {
  describe("approvals", () => {
    it("records a request once: a repeated request returns the stored one", async () => {
      const store = h.store();
      const { lease } = await claimedRun(store, h.unique("request"));
      const id = h.unique("approval");
      const first = await store.createApproval(approvalRecord(lease.runId, id), lease);
      const again = await store.createApproval(
        approvalRecord(lease.runId, id, { message: "changed?" }),
        lease,
      );
      expect(again).toEqual(first);
      expect(first).toMatchObject({
        id,
        status: "pending",
        message: "go?",
        details: { amount: 5 },
      });
      expect(await store.listApprovals({ runId: lease.runId })).toEqual([first]);
      expect(await store.listApprovals({ runId: lease.runId, status: "approved" })).toEqual([]);
    });

    it("decides a pending approval and queues its waiting run together, exactly once", async () => {
      const store = h.store();
      const runId = h.unique("decide");
      const id = h.unique("approval");
      await waitingRun(store, runId, id);
      const decided = await store.decideApproval(id, decision("approved", "ann"));
      expect(decided?.approval).toMatchObject({
        id,
        status: "approved",
        decidedBy: "ann",
        decidedAt: "2026-01-02T00:00:00.000Z",
        comment: "approved by ann",
      });
      expect(decided?.run).toMatchObject({ id: runId, status: "queued", owner: null });
      expect(await store.decideApproval(id, decision("rejected", "bob"))).toBeUndefined();
      expect(await store.getApproval(id)).toMatchObject({ status: "approved", decidedBy: "ann" });
      expect(await store.getRun(runId)).toMatchObject({ status: "queued" });
    });

    it("changes nothing when the run is not waiting", async () => {
      const store = h.store();
      const { lease } = await claimedRun(store, h.unique("busy"));
      const id = h.unique("approval");
      await store.createApproval(approvalRecord(lease.runId, id), lease);
      const run = await store.getRun(lease.runId);
      expect(await store.decideApproval(id, decision("approved", "ann"))).toBeUndefined();
      expect(await store.getApproval(id)).toMatchObject({ status: "pending", decidedBy: null });
      expect(await store.getRun(lease.runId)).toEqual(run);
      expect(
        await store.decideApproval(h.unique("missing"), decision("approved", "ann")),
      ).toBeUndefined();
    });

    it("expires approvals past their deadline whose run waits, and queues the run", async () => {
      const store = h.store();
      const due = h.unique("due");
      const dueApproval = h.unique("approval");
      await waitingRun(store, due, dueApproval, PAST);
      const later = h.unique("later");
      const laterApproval = h.unique("approval");
      await waitingRun(store, later, laterApproval, FUTURE);
      const busy = await claimedRun(store, h.unique("busy"));
      const busyApproval = h.unique("approval");
      await store.createApproval(
        approvalRecord(busy.lease.runId, busyApproval, { deadline: PAST }),
        busy.lease,
      );

      const expired = await store.expireApprovals();
      expect(expired).toContain(due);
      expect(expired).not.toContain(later);
      expect(expired).not.toContain(busy.lease.runId);
      expect(await store.getApproval(dueApproval)).toMatchObject({
        status: "expired",
        decidedBy: "deadline",
      });
      expect((await store.getApproval(dueApproval))?.decidedAt).not.toBeNull();
      expect(await store.getRun(due)).toMatchObject({ status: "queued" });
      expect(await store.getApproval(laterApproval)).toMatchObject({ status: "pending" });
      expect(await store.getRun(later)).toMatchObject({ status: "waiting" });
      expect(await store.getApproval(busyApproval)).toMatchObject({ status: "pending" });
      expect(await store.expireApprovals()).not.toContain(due);
    });
  });
}
