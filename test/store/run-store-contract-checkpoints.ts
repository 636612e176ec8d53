import type { RunnableConfig } from "@langchain/core/runnables";
import { emptyCheckpoint } from "@langchain/langgraph-checkpoint";
import { describe, expect, it } from "vitest";
import { leaseContext } from "../../src/store/lease-context.ts";
import type { Lease, RunStore } from "../../src/store/types.ts";
import { type ContractHarness, claimedRun, reclaimedRun } from "./run-store-fixtures.ts";

/** Writes one checkpoint of `runId`'s thread as the driver holding `lease` would. */
function putCheckpoint(store: RunStore, runId: string, lease: Lease) {
  const config = { configurable: { thread_id: runId, checkpoint_ns: "" } };
  return leaseContext.run(lease, () =>
    store.checkpointer.put(config, emptyCheckpoint(), { source: "loop", step: 1, parents: {} }, {}),
  );
}

/**
 * Three checkpoints of `runId`, each with one channel value and a pending write, as
 * three supersteps of a driver would leave them. Returns their ids, oldest first.
 */
async function threeSupersteps(store: RunStore, runId: string, lease: Lease): Promise<string[]> {
  const ids: string[] = [];
  let config: RunnableConfig = { configurable: { thread_id: runId, checkpoint_ns: "" } };
  for (let step = 1; step <= 3; step += 1) {
    const checkpoint = {
      ...emptyCheckpoint(),
      channel_values: { counter: step },
      channel_versions: { counter: step },
    };
    config = await leaseContext.run(lease, () =>
      store.checkpointer.put(
        config,
        checkpoint,
        { source: "loop", step, parents: {} },
        {
          counter: step,
        },
      ),
    );
    await leaseContext.run(lease, () =>
      store.checkpointer.putWrites(config, [["counter", step + 1]], `task-${step}`),
    );
    ids.push(checkpoint.id);
  }
  return ids;
}

/** Checkpoint writes under a lease are fenced in the store, in the write's own transaction. */
export function describeCheckpointContract(h: ContractHarness): void {
  describe("fenced checkpoints", () => {
    it("writes a checkpoint under the lease that holds the run, and refuses (writing nothing) one under a lost lease", async () => {
      const store = h.store();
      const id = h.unique("checkpoint");
      const { stale: first, current: second } = await reclaimedRun(store, id);
      // Written while `first` held the run: replay it as the first driver's write, then the
      // same write again after `second` claimed it.
      const config = { configurable: { thread_id: id } };
      await putCheckpoint(store, id, second);
      const written = await store.checkpointer.getTuple(config);
      expect(written).toBeDefined();
      expect(second.epoch).toBe(first.epoch + 1);
      await expect(putCheckpoint(store, id, first)).rejects.toThrow(/lease lost|no longer held/);
      expect((await store.checkpointer.getTuple(config))?.checkpoint.id).toBe(
        written?.checkpoint.id,
      );
      await putCheckpoint(store, id, second);
      expect((await store.checkpointer.getTuple(config))?.checkpoint.id).not.toBe(
        written?.checkpoint.id,
      );
    });

    it("keeps only the newest checkpoint, its values and its pending writes once the run pauses", async () => {
      const store = h.store();
      const id = h.unique("pruned");
      const { lease } = await claimedRun(store, id);
      const ids = await threeSupersteps(store, id, lease);
      const config = { configurable: { thread_id: id, checkpoint_ns: "" } };
      const listed = async () => {
        const found: string[] = [];
        for await (const tuple of store.checkpointer.list(config)) found.push(tuple.checkpoint.id);
        return found;
      };
      expect(await listed()).toHaveLength(3);
      await store.settleRun(lease, { status: "waiting" });
      expect(await listed()).toEqual([ids[2]]);
      const latest = await store.checkpointer.getTuple(config);
      expect(latest?.checkpoint.id).toBe(ids[2]);
      expect(latest?.checkpoint.channel_values).toEqual({ counter: 3 });
      expect(latest?.pendingWrites).toEqual([["task-3", "counter", 4]]);
    });

    it("prunes nothing of another run, nor of a settlement refused for a lost lease", async () => {
      const store = h.store();
      const kept = h.unique("kept");
      const other = await claimedRun(store, kept);
      await threeSupersteps(store, kept, other.lease);
      const id = h.unique("stale");
      const { stale, current } = await reclaimedRun(store, id);
      await threeSupersteps(store, id, current);
      await expect(store.settleRun(stale, { status: "succeeded", output: {} })).rejects.toThrow();
      await store.settleRun(current, { status: "succeeded", output: {} });
      const count = async (thread: string) => {
        let found = 0;
        for await (const _ of store.checkpointer.list({ configurable: { thread_id: thread } }))
          found += 1;
        return found;
      };
      expect(await count(kept)).toBe(3);
      expect(await count(id)).toBe(1);
    });
  });
}
