import { afterEach, beforeEach, describe } from "vitest";
import type { RunStore } from "../../src/store/types.ts";
import { describeApprovalContract } from "./run-store-contract-approvals.ts";
import { describeCheckpointContract } from "./run-store-contract-checkpoints.ts";
import { describeDashboardContract } from "./run-store-contract-dashboard.ts";
import { describeJournalContract } from "./run-store-contract-journal.ts";
import { describePruneContract } from "./run-store-contract-prune.ts";
import { describeRunContract } from "./run-store-contract-runs.ts";
import { describeTriggerContract } from "./run-store-contract-triggers.ts";
import { type ContractHarness, uniqueName } from "./run-store-fixtures.ts";

/**
 * The {@link RunStore} contract (src/store/types.ts) as one vitest suite: claims and
 * epochs, leases on the store's clock, fencing (LEASE_LOST and no write after a
 * re-claim or cancel), the effect compare-and-set, race-free numbering, atomic
 * approvals, sweepers, events and filters. Every store implementation runs it.
 *
 * `open` is called before each test and the store closed after it. Stores may share
 * one database across the tests of a file: the tests use unique ids and names.
 *
 * @example
 * ```ts
 * describeRunStoreContract("sqlite", async () => new SqliteRunStore(tempFile()));
 * ```
 */
export function describeRunStoreContract(name: string, open: () => Promise<RunStore>): void {
  describe(`RunStore contract: ${name}`, () => {
    let current: RunStore | undefined;
    beforeEach(async () => {
      current = await open();
    });
    afterEach(async () => {
      await current?.close();
      current = undefined;
    });
    const harness: ContractHarness = {
      store: () => {
        if (current === undefined) throw new Error("the contract store is not open");
        return current;
      },
      unique: uniqueName,
    };
    describeRunContract(harness);
    describeJournalContract(harness);
    describeCheckpointContract(harness);
    describeApprovalContract(harness);
    describePruneContract(harness);
    describeDashboardContract(harness);
    describeTriggerContract(harness);
  });
}
