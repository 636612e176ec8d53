import { describe, expect, it } from "vitest";
import type { TriggerStart } from "../../src/store/types.ts";
import { type ContractHarness, newRun } from "./run-store-fixtures.ts";

/** Trigger starts: one run per event (kind, name, key), written with the run in one transaction. */
export function describeTriggerContract(h: ContractHarness): void {
  describe("trigger starts", () => {
    const start = (name: string, key: string): TriggerStart => ({
      kind: "webhook",
      name,
      key,
      details: { deliveryId: key },
    });

    it("records the run and its event; the same event again starts nothing and answers the first run", async () => {
      const store = h.store();
      const name = h.unique("hook");
      const first = await store.createTriggeredRun(newRun(h.unique("t1")), start(name, "msg_1"));
      expect(first.created).toBe(true);
      expect(first.run.status).toBe("queued");
      const again = await store.createTriggeredRun(newRun(h.unique("t2")), start(name, "msg_1"));
      expect(again).toMatchObject({ created: false, run: { id: first.run.id } });
      expect(await store.getTriggerStart(first.run.id)).toMatchObject({
        kind: "webhook",
        name,
        key: "msg_1",
        runId: first.run.id,
        details: { deliveryId: "msg_1" },
      });
      expect(await store.listRuns({ idPrefix: "t2" })).toHaveLength(0);
    });

    it("creates exactly one run when many starts of one event race", async () => {
      const store = h.store();
      const name = h.unique("race");
      const ids = Array.from({ length: 12 }, () => h.unique("race-run"));
      const results = await Promise.all(
        ids.map((id) => store.createTriggeredRun(newRun(id), start(name, "same"))),
      );
      expect(results.filter((result) => result.created)).toHaveLength(1);
      const winner = results.find((result) => result.created)?.run.id;
      expect(new Set(results.map((result) => result.run.id))).toEqual(new Set([winner]));
      const created = await Promise.all(ids.map((id) => store.getRun(id)));
      expect(created.filter((run) => run !== undefined)).toHaveLength(1);
    });

    it("keeps events of different triggers and kinds apart; the latest is the greatest key", async () => {
      const store = h.store();
      const name = h.unique("sched");
      const at = (key: string): TriggerStart => ({ kind: "schedule", name, key, details: {} });
      await store.createTriggeredRun(newRun(h.unique("s1")), at("2026-11-30T01:00:00.000Z"));
      await store.createTriggeredRun(newRun(h.unique("s3")), at("2026-11-30T03:00:00.000Z"));
      await store.createTriggeredRun(newRun(h.unique("s2")), at("2026-11-30T02:00:00.000Z"));
      const other = await store.createTriggeredRun(newRun(h.unique("f1")), {
        kind: "file",
        name,
        key: "2026-11-30T03:00:00.000Z",
        details: {},
      });
      expect(other.created).toBe(true);
      expect((await store.lastTriggerStart("schedule", name))?.key).toBe(
        "2026-11-30T03:00:00.000Z",
      );
      expect(await store.lastTriggerStart("webhook", name)).toBeUndefined();
      expect(await store.getTriggerStart(h.unique("none"))).toBeUndefined();
    });
  });
}
