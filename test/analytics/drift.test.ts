import { join } from "node:path";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { detectDrift, driftGauge, mixOverTime } from "../../src/analytics/drift.ts";
import type { DecisionRecord } from "../../src/contracts/decision.ts";
import { describeSeen } from "../../src/contracts/decision-seen.ts";
import { SqliteRunStore } from "../../src/store/sqlite-store.ts";
import { tempHome } from "../support/runtime.ts";

const temp = tempHome("signalbox-drift-");
afterAll(() => temp.cleanup());

/** `count` decisions of route `pick` under decider `version`, `share` of them `a`, from `start`. */
function decisions(options: {
  runId: string;
  version: string;
  count: number;
  share: number;
  start: number;
}) {
  const seen = describeSeen({
    text: "t",
    branches: ["a", "b"],
    defaultBranch: "b",
    escalationBranch: null,
    minConfidence: null,
    threshold: null,
    decider: { kind: "offline-classifier", version: options.version },
    rule: null,
    proposed: null,
  });
  return Array.from({ length: options.count }, (_, index): DecisionRecord => {
    const choice = index < Math.round(options.count * options.share) ? "a" : "b";
    return {
      key: `pick@${options.version}#${index}`,
      runId: options.runId,
      sequence: 0,
      node: "pick",
      kind: "route",
      options: [{ name: "a" }, { name: "b" }],
      choice,
      reason: "synthetic",
      confidence: choice === "a" ? 0.9 : 0.6,
      decidedBy: "classifier",
      modelId: "offline-lexical",
      tokensIn: null,
      tokensOut: null,
      latencyMs: 1,
      at: new Date(options.start + index * 60_000).toISOString(),
      step: 1,
      seen,
    };
  });
}

describe("drift", () => {
  const day = Date.parse("2026-11-01T00:00:00Z");
  const stable = decisions({
    runId: "r",
    version: "lexical:old",
    count: 40,
    share: 0.7,
    start: day,
  });
  // The same route a day later under a new decider, its mix moved from 70% to 30% `a`.
  const shifted = decisions({
    runId: "r",
    version: "lexical:new",
    count: 40,
    share: 0.3,
    start: day + 86_400_000,
  });

  it("alerts when the branch mix shifts after a decider change, and not when it holds", () => {
    const [change] = detectDrift([...stable, ...shifted]);
    expect(change).toMatchObject({ node: "pick", alert: true, distance: 0.4 });
    expect(change?.before).toContain("lexical:old");
    expect(change?.after).toContain("lexical:new");
    expect(change?.mixBefore.shares).toEqual({ a: 0.7, b: 0.3 });
    const same = decisions({
      runId: "r",
      version: "lexical:new",
      count: 40,
      share: 0.7,
      start: day + 86_400_000,
    });
    expect(detectDrift([...stable, ...same])).toMatchObject([{ alert: false, distance: 0 }]);
    // Too few decisions after the change: reported, not alerted.
    const few = decisions({
      runId: "r",
      version: "lexical:new",
      count: 5,
      share: 0,
      start: day + 86_400_000,
    });
    expect(detectDrift([...stable, ...few])).toMatchObject([{ alert: false, distance: 0.7 }]);
  });

  it("gives the branch mix and mean confidence per day", () => {
    const buckets = mixOverTime([...shifted, ...stable]);
    expect(buckets.map((bucket) => [bucket.from, bucket.count, bucket.shares.a])).toEqual([
      ["2026-11-01T00:00:00.000Z", 40, 0.7],
      ["2026-11-02T00:00:00.000Z", 40, 0.3],
    ]);
    expect(buckets[0]?.meanConfidence).toBeCloseTo(0.7 * 0.9 + 0.3 * 0.6, 10);
  });

  it("reads a real store for the metrics gauge and logs one warning line per alert", async () => {
    const store = new SqliteRunStore(join(temp.home, "signalbox.db"));
    await store.createRun({
      id: "r",
      workflow: "w",
      version: "1",
      input: {},
      trigger: "test",
      dryRun: false,
    });
    for (const decision of [...stable, ...shifted]) await store.recordDecision(decision);
    const lines: string[] = [];
    const logger = pino({ level: "warn" }, { write: (line: string) => lines.push(line) });
    const gauge = await driftGauge({ store, workflow: "w", logger });
    await store.close();
    expect(gauge).toEqual([{ node: "pick", value: 0.4, alert: true }]);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({
      msg: "route branch mix drifted after a change",
      node: "pick",
      distance: 0.4,
    });
  });
});
