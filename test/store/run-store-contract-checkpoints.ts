import { emptyCheckpoint } from "@langchain/langgraph-checkpoint";
import { describe, expect, it } from "vitest";
import { leaseContext } from "../../src/store/lease-context.ts";
import type { Lease, RunStore } from "../../src/store/types.ts";
import { type ContractHarness, reclaimedRun } from "./run-store-fixtures.ts";

/** Writes one checkpoint of `runId`'s thread as the driver holding `lease` would. */
function putCheckpoint(store: RunStore, runId: string, lease: Lease) {
  const config = { configurable: { thread_id: runId, checkpoint_ns: "" } };
  return leaseContext.run(lease, () =>
    store.checkpointer.put(config, emptyCheckpoint(), { source: "loop", step: 1, parents: {} }, {}),
  );
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
  });
}
