import { emptyCheckpoint } from "@langchain/langgraph-checkpoint";
import { describe, expect, it } from "vitest";
import { leaseContext } from "../../src/store/lease-context.ts";
import type { Lease, RunStore } from "../../src/store/types.ts";
import {
  approvalRecord,
  type ContractHarness,
  claimedRun,
  decisionRecord,
  effectRecord,
  newRun,
} from "./run-store-fixtures.ts";

/** A settled run of `workflow` with a decision, an effect, an event and a checkpoint. */
async function settledRun(store: RunStore, id: string, workflow: string, trigger = "test") {
  const { lease } = await claimedRun(store, id, { run: { workflow, trigger } });
  await fill(store, id, lease);
  await store.settleRun(lease, { status: "succeeded", output: { ok: true } });
}

async function fill(store: RunStore, id: string, lease: Lease): Promise<void> {
  await store.recordDecision(decisionRecord(id, `${id}-decision`), lease);
  await store.claimEffect(effectRecord(id, `${id}-effect`), lease);
  await store.appendEvents(lease, [{ type: "node-start", runId: id }]);
  const config = { configurable: { thread_id: id, checkpoint_ns: "" } };
  await leaseContext.run(lease, () =>
    store.checkpointer.put(config, emptyCheckpoint(), { source: "loop", step: 1, parents: {} }, {}),
  );
}

/** Everything the store holds of one run, as counts. */
async function holdings(store: RunStore, id: string) {
  const checkpoints = [];
  for await (const tuple of store.checkpointer.list({ configurable: { thread_id: id } }))
    checkpoints.push(tuple);
  return {
    run: (await store.getRun(id)) === undefined ? 0 : 1,
    decisions: (await store.listDecisions({ runId: id })).length,
    effects: (await store.listEffects(id)).length,
    approvals: (await store.listApprovals({ runId: id })).length,
    events: (await store.listEvents(id, 0)).length,
    checkpoints: checkpoints.length,
  };
}

const NOTHING = { run: 0, decisions: 0, effects: 0, approvals: 0, events: 0, checkpoints: 0 };

/** Retention: pruning runs, and hiding eval runs from listings. */
export function describePruneContract(h: ContractHarness): void {
  describe("pruning", () => {
    it("removes matching settled runs with all their rows in batches, and nothing of the runs it keeps", async () => {
      const store = h.store();
      const workflow = h.unique("prune-w");
      const gone = [h.unique("gone"), h.unique("gone"), h.unique("gone")];
      for (const id of gone) await settledRun(store, id, workflow);
      const kept = h.unique("kept");
      await settledRun(store, kept, h.unique("other-w"));
      const running = h.unique("running");
      const held = await claimedRun(store, running, { run: { workflow } });
      await fill(store, running, held.lease);
      const queued = h.unique("queued");
      await store.createRun(newRun(queued, { workflow }));
      const keptBefore = await holdings(store, kept);

      const statuses = ["succeeded", "failed"] as const;
      expect(await store.pruneRuns({ statuses, workflow, dryRun: true })).toEqual({ runs: 3 });
      expect((await holdings(store, gone[0] as string)).run).toBe(1);
      expect(await store.pruneRuns({ statuses, workflow, batchSize: 2 })).toEqual({ runs: 3 });
      for (const id of gone) expect(await holdings(store, id)).toEqual(NOTHING);
      expect(await holdings(store, kept)).toEqual(keptBefore);
      expect(keptBefore).toMatchObject({ run: 1, decisions: 1, effects: 1, events: 1 });
      expect((await holdings(store, running)).run).toBe(1);
      expect((await holdings(store, running)).decisions).toBe(1);
      expect((await store.getRun(queued))?.status).toBe("queued");
    });

    it("selects by last change, trigger and status: a waiting run goes only when asked for", async () => {
      const store = h.store();
      const workflow = h.unique("prune-select");
      const evalRun = h.unique("eval");
      await settledRun(store, evalRun, workflow, "eval");
      const userRun = h.unique("user");
      await settledRun(store, userRun, workflow, "cli");
      const waiting = h.unique("waiting");
      const paused = await claimedRun(store, waiting, { run: { workflow } });
      await store.createApproval(approvalRecord(waiting, `${waiting}-approval`), paused.lease);
      await store.settleRun(paused.lease, { status: "waiting" });

      const past = "2000-01-01T00:00:00.000Z";
      expect(await store.pruneRuns({ statuses: ["succeeded"], workflow, before: past })).toEqual({
        runs: 0,
      });
      expect(await store.pruneRuns({ statuses: ["succeeded"], workflow, trigger: "eval" })).toEqual(
        { runs: 1 },
      );
      expect(await store.getRun(evalRun)).toBeUndefined();
      expect((await store.getRun(userRun))?.status).toBe("succeeded");
      expect((await store.getRun(waiting))?.status).toBe("waiting");
      expect(await store.pruneRuns({ statuses: ["waiting"], workflow })).toEqual({ runs: 1 });
      expect(await holdings(store, waiting)).toEqual(NOTHING);
    });

    it("lists runs without those of the excluded triggers", async () => {
      const store = h.store();
      const workflow = h.unique("listed");
      await settledRun(store, h.unique("eval"), workflow, "eval");
      const user = h.unique("user");
      await settledRun(store, user, workflow, "cli");
      const all = await store.listRuns({ workflow });
      expect(all).toHaveLength(2);
      const shown = await store.listRuns({ workflow, excludeTriggers: ["eval"] });
      expect(shown.map((run) => run.id)).toEqual([user]);
    });
  });
}
