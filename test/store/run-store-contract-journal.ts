import { describe, expect, it } from "vitest";
import { describeSeen } from "../../src/contracts/decision-seen.ts";
import type { EffectStatus } from "../../src/store/types.ts";
import {
  type ContractHarness,
  claimedRun,
  decisionRecord,
  effectRecord,
  reclaimedRun,
} from "./run-store-fixtures.ts";

/** Decision numbering, the effect compare-and-set, and run events. */
export function describeJournalContract(h: ContractHarness): void {
  describe("decisions", () => {
    it("numbers decisions per run; a replayed key keeps its sequence and takes the new content", async () => {
      const store = h.store();
      const { lease } = await claimedRun(store, h.unique("decide"));
      const runId = lease.runId;
      const first = await store.recordDecision(decisionRecord(runId, "pick@1#0", "a"), lease);
      const second = await store.recordDecision(decisionRecord(runId, "other@2#0", "b"), lease);
      const replayed = await store.recordDecision(decisionRecord(runId, "pick@1#0", "b"), lease);
      expect([first.sequence, second.sequence, replayed.sequence]).toEqual([1, 2, 1]);
      const stored = await store.listDecisions({ runId });
      expect(stored.map((entry) => [entry.sequence, entry.key, entry.choice])).toEqual([
        [1, "pick@1#0", "b"],
        [2, "other@2#0", "b"],
      ]);
      expect(stored[0]).toMatchObject({ runId, node: "pick", kind: "route", reason: "because" });
    });

    it("gives 50 concurrent decisions of one run the sequences 1 to 50", async () => {
      const store = h.store();
      const { lease } = await claimedRun(store, h.unique("decide-race"));
      const recorded = await Promise.all(
        Array.from({ length: 50 }, (_, index) =>
          store.recordDecision(decisionRecord(lease.runId, `node@${index}#0`), lease),
        ),
      );
      const sequences = recorded.map((entry) => entry.sequence).sort((a, b) => a - b);
      expect(sequences).toEqual(Array.from({ length: 50 }, (_, index) => index + 1));
      const listed = await store.listDecisions({ runId: lease.runId });
      expect(listed.map((entry) => entry.sequence)).toEqual(sequences);
    });

    it("filters decisions across runs by workflow, kind, decider and node", async () => {
      const store = h.store();
      const workflow = h.unique("wf");
      const { lease } = await claimedRun(store, h.unique("filter"), { run: { workflow } });
      await store.recordDecision(decisionRecord(lease.runId, "pick@1#0"), lease);
      await store.recordDecision(
        {
          ...decisionRecord(lease.runId, "tool@2#0"),
          kind: "tool",
          node: "call",
          decidedBy: "llm",
        },
        lease,
      );
      const keys = (filter: Parameters<typeof store.listDecisions>[0]) =>
        store.listDecisions({ workflow, ...filter }).then((list) => list.map((entry) => entry.key));
      expect(await keys({})).toEqual(["pick@1#0", "tool@2#0"]);
      expect(await keys({ kind: "tool" })).toEqual(["tool@2#0"]);
      expect(await keys({ decidedBy: "classifier" })).toEqual(["pick@1#0"]);
      expect(await keys({ node: "call" })).toEqual(["tool@2#0"]);
      expect(await keys({ limit: 1 })).toEqual(["pick@1#0"]);
    });

    it("keeps a route decision's inputs (cut to 4 KB) and a correction's link, filtered by node and time (issue 17)", async () => {
      const store = h.store();
      const workflow = h.unique("seen");
      const { lease } = await claimedRun(store, h.unique("seen"), { run: { workflow } });
      const seen = describeSeen({
        text: "é".repeat(5000),
        branches: ["a", "b"],
        defaultBranch: "b",
        escalationBranch: "b",
        minConfidence: 0.4,
        threshold: null,
        decider: { kind: "offline-classifier", version: "lexical:abc" },
        rule: null,
        proposed: "a",
      });
      await store.recordDecision({ ...decisionRecord(lease.runId, "pick@1#0"), seen }, lease);
      // A correction arrives after the run: no lease, linked to the decision it overrides.
      const later = new Date(Date.now() + 1000).toISOString();
      await store.recordDecision({
        ...decisionRecord(lease.runId, "pick@human#1", "b"),
        decidedBy: "human",
        corrects: "pick@1#0",
        at: later,
      });
      const [original, correction] = await store.listDecisions({ runId: lease.runId });
      expect(original?.seen).toEqual(seen);
      expect(original?.seen?.truncated).toBe(true);
      expect(original?.seen?.textBytes).toBe(10_000);
      expect(Buffer.byteLength(JSON.stringify(original?.seen))).toBeLessThanOrEqual(4096);
      expect(correction).toMatchObject({ decidedBy: "human", corrects: "pick@1#0", choice: "b" });
      const since = await store.listDecisions({ workflow, node: "pick", since: later });
      expect(since.map((entry) => entry.key)).toEqual(["pick@human#1"]);
    });
  });

  describe("effects", () => {
    it("claims an absent effect as started; the same epoch cannot claim it twice", async () => {
      const store = h.store();
      const { lease } = await claimedRun(store, h.unique("effect"));
      const key = `${lease.runId}:refund`;
      const claim = await store.claimEffect(effectRecord(lease.runId, key), lease);
      expect(claim).toEqual({ claimed: true, previous: undefined });
      expect(await store.getEffect(key)).toMatchObject({ status: "started", args: { amount: 5 } });
      const again = await store.claimEffect(effectRecord(lease.runId, key), lease);
      expect(again).toMatchObject({ claimed: false, existing: { key, status: "started" } });
    });

    it("replays completed and compensated effects; re-claims failed and planned ones", async () => {
      const store = h.store();
      const { lease } = await claimedRun(store, h.unique("cas"));
      const outcome = async (status: EffectStatus) => {
        const key = `${lease.runId}:${status}`;
        const stored = effectRecord(lease.runId, key, { status, result: { paid: status } });
        await store.putEffect(stored, lease);
        return store.claimEffect(effectRecord(lease.runId, key), lease);
      };
      expect(await outcome("completed")).toMatchObject({
        claimed: false,
        existing: { status: "completed", result: { paid: "completed" } },
      });
      expect(await outcome("compensated")).toMatchObject({ claimed: false });
      expect(await outcome("failed")).toMatchObject({
        claimed: true,
        previous: { status: "failed" },
      });
      expect(await outcome("planned")).toMatchObject({
        claimed: true,
        previous: { status: "planned" },
      });
      expect(await store.getEffect(`${lease.runId}:failed`)).toMatchObject({ status: "started" });
    });

    it("takes over an effect started under an older epoch (its driver lost the run)", async () => {
      const store = h.store();
      const id = h.unique("takeover");
      const key = `${id}:refund`;
      const first = await claimedRun(store, id, { leaseMs: 20 });
      await store.claimEffect(effectRecord(id, key), first.lease);
      await new Promise((resolve) => setTimeout(resolve, 80));
      const next = await store.claimRun(id, { owner: "worker-b", leaseMs: 60_000 });
      const lease = { runId: id, owner: "worker-b", epoch: next?.epoch ?? -1 };
      const claim = await store.claimEffect(effectRecord(id, key), lease);
      expect(claim).toMatchObject({ claimed: true, previous: { key, status: "started" } });
      expect(await store.claimEffect(effectRecord(id, key), lease)).toMatchObject({
        claimed: false,
      });
    });

    it("lets exactly one of 20 concurrent claims of one key win", async () => {
      const store = h.store();
      const { lease } = await claimedRun(store, h.unique("effect-race"));
      const key = `${lease.runId}:once`;
      const claims = await Promise.all(
        Array.from({ length: 20 }, () => store.claimEffect(effectRecord(lease.runId, key), lease)),
      );
      expect(claims.filter((claim) => claim.claimed)).toHaveLength(1);
    });

    it("records completion with putEffect and lists a run's effects in start order", async () => {
      const store = h.store();
      const { lease } = await claimedRun(store, h.unique("journal"));
      const at = (second: number) => `2026-01-01T00:00:0${second}.000Z`;
      const later = effectRecord(lease.runId, `${lease.runId}:2`, { startedAt: at(2) });
      const earlier = effectRecord(lease.runId, `${lease.runId}:1`, { startedAt: at(1) });
      await store.claimEffect(later, lease);
      await store.claimEffect(earlier, lease);
      await store.putEffect(
        { ...earlier, status: "completed", result: { id: "p1" }, finishedAt: at(3) },
        lease,
      );
      const listed = await store.listEffects(lease.runId);
      expect(listed.map((effect) => [effect.key, effect.status])).toEqual([
        [earlier.key, "completed"],
        [later.key, "started"],
      ]);
      expect(listed[0]).toMatchObject({
        result: { id: "p1" },
        finishedAt: at(3),
        startedAt: at(1),
      });
    });
  });

  describe("events", () => {
    it("numbers a run's events from 1 across appends and lists them after a seq", async () => {
      const store = h.store();
      const { lease } = await claimedRun(store, h.unique("events"));
      await store.appendEvents(lease, [{ type: "run-start" }, { type: "node-start", n: 1 }]);
      await store.appendEvents(lease, [{ type: "node-end", n: 1 }]);
      const all = await store.listEvents(lease.runId, 0);
      expect(all).toEqual([
        { runId: lease.runId, seq: 1, event: { type: "run-start" } },
        { runId: lease.runId, seq: 2, event: { type: "node-start", n: 1 } },
        { runId: lease.runId, seq: 3, event: { type: "node-end", n: 1 } },
      ]);
      expect((await store.listEvents(lease.runId, 1)).map((event) => event.seq)).toEqual([2, 3]);
      expect((await store.listEvents(lease.runId, 0, 2)).map((event) => event.seq)).toEqual([1, 2]);
      expect(await store.listEvents(lease.runId, 3)).toEqual([]);
    });

    it("keeps concurrent appends whole and numbered without gaps", async () => {
      const store = h.store();
      const { lease } = await claimedRun(store, h.unique("events-race"));
      await Promise.all(
        Array.from({ length: 10 }, (_, batch) =>
          store.appendEvents(
            lease,
            [0, 1, 2].map((item) => ({ batch, item })),
          ),
        ),
      );
      const events = await store.listEvents(lease.runId, 0);
      expect(events.map((event) => event.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      for (let start = 0; start < 30; start += 3) {
        const batch = events.slice(start, start + 3).map((event) => event.event);
        expect(batch).toEqual(
          [0, 1, 2].map((item) => ({ batch: (batch[0] as { batch: number }).batch, item })),
        );
      }
    });

    it("writes no event with a lease lost to another worker", async () => {
      const store = h.store();
      const { stale, current } = await reclaimedRun(store, h.unique("events-fenced"));
      await expect(store.appendEvents(stale, [{ type: "late" }])).rejects.toMatchObject({
        code: "LEASE_LOST",
      });
      await store.appendEvents(current, [{ type: "node-start" }]);
      expect(await store.listEvents(stale.runId, 0)).toEqual([
        { runId: stale.runId, seq: 1, event: { type: "node-start" } },
      ]);
    });
  });
}
