import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import type { DecisionRecord } from "../../src/contracts/decision.ts";
import { ErrorCode } from "../../src/errors.ts";
import type {
  ApprovalRecord,
  EffectRecord,
  Lease,
  NewRun,
  RunRecord,
  RunStore,
} from "../../src/store/types.ts";

/** What every part of the store contract gets: the current test's store and unique names. */
export interface ContractHarness {
  /** The store opened for the current test. */
  readonly store: () => RunStore;
  /** A name no other test uses (stores may share one database across a file's tests). */
  readonly unique: (label: string) => string;
}

/** A long time ago and far ahead, so clock skew between test and database never matters. */
export const PAST = "2000-01-01T00:00:00.000Z";
export const FUTURE = "2999-01-01T00:00:00.000Z";

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const uniqueName = (label: string) => `${label}-${randomUUID().slice(0, 8)}`;

export function newRun(id: string, overrides: Partial<NewRun> = {}): NewRun {
  return {
    id,
    workflow: "w",
    version: "1",
    input: { n: 1 },
    trigger: "test",
    dryRun: false,
    ...overrides,
  };
}

/** The lease a claim result stands for. */
/** True while `lease` holds its run, as the store's own record says. */
export async function holds(store: RunStore, lease: Lease): Promise<boolean> {
  const run = await store.getRun(lease.runId);
  return run?.status === "running" && run.owner === lease.owner && run.epoch === lease.epoch;
}

export function leaseOf(run: RunRecord): Lease {
  expect(run.owner).not.toBeNull();
  return { runId: run.id, owner: run.owner ?? "", epoch: run.epoch };
}

/** Creates a run and claims it; returns the claimed record and its lease. */
export async function claimedRun(
  store: RunStore,
  id: string,
  options: { owner?: string; leaseMs?: number; run?: Partial<NewRun> } = {},
): Promise<{ run: RunRecord; lease: Lease }> {
  await store.createRun(newRun(id, options.run));
  const run = await store.claimRun(id, {
    owner: options.owner ?? "worker-a",
    leaseMs: options.leaseMs ?? 60_000,
  });
  if (run === undefined) throw new Error(`test set-up: could not claim ${id}`);
  return { run, lease: leaseOf(run) };
}

/** Claims with a tiny lease, lets it run out, and claims again as `worker-b`. */
export async function reclaimedRun(store: RunStore, id: string) {
  const first = await claimedRun(store, id, { leaseMs: 20 });
  await sleep(80);
  const run = await store.claimRun(id, { owner: "worker-b", leaseMs: 60_000 });
  if (run === undefined) throw new Error(`test set-up: could not re-claim ${id}`);
  return { stale: first.lease, current: leaseOf(run), run };
}

/** A run paused for `approvalId` (pending, with the given deadline). */
export async function waitingRun(
  store: RunStore,
  id: string,
  approvalId: string,
  deadline: string | null = null,
) {
  const { lease } = await claimedRun(store, id);
  await store.createApproval(approvalRecord(id, approvalId, { deadline }), lease);
  const run = await store.settleRun(lease, { status: "waiting" });
  return { run, lease };
}

export function decisionRecord(runId: string, key: string, choice = "a"): DecisionRecord {
  return {
    key,
    runId,
    sequence: 0,
    node: "pick",
    kind: "route",
    options: [{ name: "a" }, { name: "b" }],
    choice,
    reason: "because",
    confidence: 0.5,
    decidedBy: "classifier",
    modelId: null,
    tokensIn: null,
    tokensOut: null,
    latencyMs: 1,
    at: new Date().toISOString(),
    step: 1,
  };
}

export function effectRecord(
  runId: string,
  key: string,
  overrides: Partial<EffectRecord> = {},
): EffectRecord {
  return {
    key,
    runId,
    node: "pay",
    name: "refund",
    effect: "irreversible",
    status: "started",
    args: { amount: 5 },
    result: undefined,
    error: null,
    startedAt: new Date().toISOString(),
    finishedAt: null,
    ...overrides,
  };
}

export function approvalRecord(
  runId: string,
  id: string,
  overrides: Partial<ApprovalRecord> = {},
): ApprovalRecord {
  return {
    id,
    runId,
    node: "ok",
    status: "pending",
    message: "go?",
    details: { amount: 5 },
    requestedAt: "2026-01-01T00:00:00.000Z",
    deadline: null,
    decidedBy: null,
    decidedAt: null,
    comment: null,
    ...overrides,
  };
}

/** Asserts the promise rejects with `LEASE_LOST`. */
export async function expectLeaseLost(promise: Promise<unknown>): Promise<void> {
  await expect(promise).rejects.toMatchObject({ code: ErrorCode.LeaseLost });
}

/**
 * Tries every fenced write with `lease` and asserts each throws LEASE_LOST (renewLease:
 * false) and that none of them left anything behind.
 */
export async function expectFencedOut(store: RunStore, lease: Lease): Promise<void> {
  const runId = lease.runId;
  const before = await store.getRun(runId);
  const key = `${runId}:late-effect`;
  await expectLeaseLost(store.settleRun(lease, { status: "succeeded", output: { late: true } }));
  await expectLeaseLost(store.recordDecision(decisionRecord(runId, "late@9#0"), lease));
  await expectLeaseLost(store.claimEffect(effectRecord(runId, key), lease));
  await expectLeaseLost(
    store.putEffect(effectRecord(runId, `${key}-put`, { status: "completed" }), lease),
  );
  await expectLeaseLost(store.createApproval(approvalRecord(runId, `${runId}:late`), lease));
  await expectLeaseLost(store.appendEvents(lease, [{ type: "late" }]));
  expect(await store.renewLease(lease, 60_000)).toBe(false);
  expect(await holds(store, lease)).toBe(false);
  expect(await store.getRun(runId)).toEqual(before);
  expect(await store.listDecisions({ runId })).toEqual([]);
  expect(await store.getEffect(key)).toBeUndefined();
  expect(await store.getEffect(`${key}-put`)).toBeUndefined();
  expect(await store.getApproval(`${runId}:late`)).toBeUndefined();
  expect(await store.listEvents(runId, 0)).toEqual([]);
}
