import { describe, expect, it } from "vitest";
import type { RunFilter, RunRecord, RunStore } from "../../src/store/types.ts";
import {
  type ContractHarness,
  claimedRun,
  decisionRecord,
  newRun,
  PAST,
} from "./run-store-fixtures.ts";

/** Seven runs of one fresh workflow: inputs, dry runs, deciders and one escalation differ. */
async function seedRuns(store: RunStore, workflow: string) {
  const ids = Array.from({ length: 7 }, (_, index) => `${workflow}-${index}`);
  for (const [index, id] of ids.entries()) {
    await store.createRun(
      newRun(id, {
        workflow,
        dryRun: index === 3,
        input: { text: index === 4 ? "Please REFUND order 42" : `question ${index}` },
      }),
    );
  }
  await store.recordDecision({
    ...decisionRecord(ids[1] ?? "", "pick@1#0"),
    decidedBy: "llm",
    tokensIn: 30,
    tokensOut: 5,
    costUsd: 0.25,
  });
  await store.recordDecision({
    ...decisionRecord(ids[2] ?? "", "pick@1#0"),
    kind: "escalation",
    decidedBy: "default",
  });
  await store.recordDecision(decisionRecord(ids[5] ?? "", "pick@1#0"));
  return ids;
}

/** Reads every page of `limit` runs, each page after the last run of the one before. */
async function allPages(store: RunStore, filter: RunFilter, limit: number): Promise<string[][]> {
  const pages: string[][] = [];
  let last: RunRecord | undefined;
  for (;;) {
    const after = last === undefined ? undefined : { createdAt: last.createdAt, id: last.id };
    const page = await store.listRuns({ ...filter, limit, after });
    if (page.length === 0) return pages;
    pages.push(page.map((run) => run.id));
    last = page.at(-1);
  }
}

/** The dashboard's queries: runs list filters, keyset paging, outcome figures. */
export function describeDashboardContract(h: ContractHarness): void {
  describe("dashboard queries", () => {
    it("pages runs newest first by (created time, id) with no run lost or repeated", async () => {
      const store = h.store();
      const workflow = h.unique("paged");
      const ids = await seedRuns(store, workflow);
      const all = (await store.listRuns({ workflow })).map((run) => run.id);
      expect([...all].sort()).toEqual([...ids].sort());
      const pages = await allPages(store, { workflow }, 3);
      expect(pages.map((page) => page.length)).toEqual([3, 3, 1]);
      expect(pages.flat()).toEqual(all);
    });

    it("filters runs by decider, escalation, dry run, input text and creation time", async () => {
      const store = h.store();
      const workflow = h.unique("filtered");
      const ids = await seedRuns(store, workflow);
      const listed = async (filter: RunFilter) =>
        (await store.listRuns({ workflow, ...filter })).map((run) => run.id).sort();
      expect(await listed({ decidedBy: "llm" })).toEqual([ids[1]]);
      expect(await listed({ decidedBy: "classifier" })).toEqual([ids[5]]);
      expect(await listed({ escalated: true })).toEqual([ids[2]]);
      expect(await listed({ escalated: false })).toEqual(ids.filter((id) => id !== ids[2]).sort());
      expect(await listed({ dryRun: true })).toEqual([ids[3]]);
      expect(await listed({ search: "refund" })).toEqual([ids[4]]);
      expect(await listed({ search: "nothing like it" })).toEqual([]);
      expect(await listed({ createdBefore: PAST })).toEqual([]);
      expect(await listed({ createdBefore: "2999-01-01T00:00:00.000Z" })).toHaveLength(7);
      expect(await listed({ status: "queued", decidedBy: "llm", dryRun: false })).toEqual([ids[1]]);
    });

    it("counts outcomes per workflow and day, with decision totals and node durations", async () => {
      const store = h.store();
      const workflow = h.unique("outcomes");
      const ids = await seedRuns(store, workflow);
      const { lease } = await claimedRun(store, `${workflow}-driven`, { run: { workflow } });
      await store.appendEvents(lease, [
        { type: "node-start", node: "pick" },
        { type: "node-end", node: "pick", durationMs: 12 },
        { type: "node-end", node: "reply", durationMs: 3 },
      ]);
      await store.settleRun(lease, { status: "succeeded", output: {} });
      const stats = await store.outcomeStats({ since: PAST, workflow });
      const day = new Date().toISOString().slice(0, 10);
      const runs = stats.runs.map(({ day: rowDay, ...row }) => {
        expect([day, new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)]).toContain(
          rowDay,
        );
        return row;
      });
      const total = (status: string) =>
        runs.filter((row) => row.status === status).reduce((sum, row) => sum + row.runs, 0);
      expect(total("queued")).toBe(ids.length);
      expect(total("succeeded")).toBe(1);
      expect(runs.reduce((sum, row) => sum + row.escalated, 0)).toBe(1);
      const decisions = stats.decisions.reduce(
        (sum, row) => ({
          llmCalls: sum.llmCalls + row.llmCalls,
          llmAvoided: sum.llmAvoided + row.llmAvoided,
          tokensIn: sum.tokensIn + row.tokensIn,
          tokensOut: sum.tokensOut + row.tokensOut,
          costUsd: sum.costUsd + row.costUsd,
        }),
        { llmCalls: 0, llmAvoided: 0, tokensIn: 0, tokensOut: 0, costUsd: 0 },
      );
      expect(decisions).toEqual({
        llmCalls: 1,
        llmAvoided: 1,
        tokensIn: 30,
        tokensOut: 5,
        costUsd: 0.25,
      });
      expect(
        stats.nodeDurations.map(({ node, durationMs }) => ({ node, durationMs })).sort(),
      ).toEqual(
        expect.arrayContaining([
          { node: "pick", durationMs: 12 },
          { node: "reply", durationMs: 3 },
        ]),
      );
      expect(stats.nodeDurations).toHaveLength(2);
      const counts = (await store.countRuns()).filter((row) => row.workflow === workflow);
      expect(counts.sort((a, b) => a.status.localeCompare(b.status))).toEqual([
        { workflow, status: "queued", runs: ids.length },
        { workflow, status: "succeeded", runs: 1 },
      ]);
      expect(await store.outcomeStats({ since: "2999-01-01T00:00:00.000Z", workflow })).toEqual({
        runs: [],
        decisions: [],
        nodeDurations: [],
      });
    });
  });
}
