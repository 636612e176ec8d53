import type { RunRecord, RunStatus, RunStore } from "../../src/store/types.ts";
import { CRASH_WORKFLOW } from "../fixtures/crash-worker.ts";
import { APPROVAL_WORKFLOW } from "../fixtures/fleet-workflows.ts";
import type { LedgerRow } from "../fixtures/ledger.ts";
import type { RefundRow } from "./chaos.ts";
import { CHAOS_WORKFLOW, type ChaosLedgerRow } from "./chaos-workflows.ts";

export interface InvariantInput {
  readonly store: RunStore;
  readonly runs: readonly RunRecord[];
  readonly ledger: { readonly performances: readonly LedgerRow[] };
  readonly chaos: {
    readonly performances: readonly ChaosLedgerRow[];
    readonly actions: readonly ChaosLedgerRow[];
  };
  readonly refunds: readonly RefundRow[];
  readonly killed: ReadonlySet<number>;
  readonly final: readonly RunStatus[];
}

export interface InvariantReport {
  /** How many individual facts were checked. */
  readonly checks: number;
  /** Each broken fact, saying which run and what; empty when all held. */
  readonly violations: string[];
  /** Effects performed (distinct idempotency keys downstream). */
  readonly effects: number;
  /**
   * Keys the non-deduplicating ledgers saw performed more than once: a driver that died,
   * lost its lease or failed its journal write after doing the work and before journaling
   * it. A downstream honouring the idempotency key (the `actions` table, the shipped
   * workflow's refunds) absorbs these; they are reported, not violations.
   */
  readonly repeatsAbsorbedByKey: number;
}

/** The run id in an idempotency key `<run>:<node>:<step>:<index>`. */
const runOfKey = (key: string) => key.slice(0, key.indexOf(":"));

class Checker {
  checks = 0;
  readonly violations: string[] = [];

  that(holds: boolean, what: () => string): void {
    this.checks += 1;
    if (!holds) this.violations.push(what());
  }
}

/** Groups `rows` by `key(row)`. */
function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) groups.set(key(row), [...(groups.get(key(row)) ?? []), row]);
  return groups;
}

/**
 * After chaos and a clean drain: every run settled (or waiting on exactly one pending
 * approval); no approval lost (a decided approval is in the decision log and, for a
 * finished run, decided its path); no effect performed twice (one downstream action per
 * run and node, one refund per order); every journal-completed effect exists downstream;
 * decision logs numbered 1..n with one route decision per routing node.
 */
export async function checkInvariants(input: InvariantInput): Promise<InvariantReport> {
  const check = new Checker();
  const final = new Set<string>(input.final);
  const byRunPerformed = groupBy(input.ledger.performances, (row) => runOfKey(row.key));
  const chaosActions = groupBy(input.chaos.actions, (row) => row.run_id);
  for (const run of input.runs) {
    await checkRun(check, input, run, final, {
      fleet: new Set((byRunPerformed.get(run.id) ?? []).map((row) => row.key)),
      chaos: chaosActions.get(run.id) ?? [],
    });
  }
  for (const [order, rows] of groupBy(
    input.refunds.filter((row) => row.status === "issued"),
    (row) => row.order_id,
  ))
    check.that(rows.length <= 1, () => `order ${order} refunded ${rows.length} times`);
  const rawKeys = [
    ...groupBy(input.ledger.performances, (row) => row.key).values(),
    ...groupBy(input.chaos.performances, (row) => row.key).values(),
  ];
  return {
    checks: check.checks,
    violations: check.violations,
    effects: rawKeys.length + input.refunds.length,
    repeatsAbsorbedByKey: rawKeys.filter((rows) => rows.length > 1).length,
  };
}

async function checkRun(
  check: Checker,
  input: InvariantInput,
  run: RunRecord,
  final: ReadonlySet<string>,
  downstream: { fleet: ReadonlySet<string>; chaos: readonly ChaosLedgerRow[] },
): Promise<void> {
  const [approvals, effects, decisions] = await Promise.all([
    input.store.listApprovals({ runId: run.id }),
    input.store.listEffects(run.id),
    input.store.listDecisions({ runId: run.id }),
  ]);
  const pending = approvals.filter((approval) => approval.status === "pending");
  check.that(
    final.has(run.status) || (run.status === "waiting" && pending.length === 1),
    () =>
      `run ${run.id} (${run.workflow}) ended ${run.status} with ${pending.length} pending approvals`,
  );
  check.that(
    run.status === "waiting" || pending.length === 0,
    () => `run ${run.id} is ${run.status} with a pending approval`,
  );
  // Decision log: numbered 1..n, one route decision per routing node and step.
  const sequences = decisions.map((decision) => decision.sequence);
  check.that(
    sequences.every((sequence, index) => sequence === index + 1),
    () => `run ${run.id}: decision sequences ${sequences.join(",")}`,
  );
  const routes = groupBy(
    decisions.filter((decision) => decision.kind === "route"),
    (decision) => `${decision.node}@${decision.step}`,
  );
  for (const [where, list] of routes)
    check.that(
      list.length === 1,
      () => `run ${run.id}: ${list.length} route decisions at ${where}`,
    );
  // No approval lost: each decided approval is in the log with its outcome.
  for (const approval of approvals.filter((candidate) => candidate.status !== "pending")) {
    // Closed by the run's own end (cancelled, or failed right after asking), not by a person.
    if (approval.decidedBy === "cancel" || approval.decidedBy === "run-end") {
      check.that(
        final.has(run.status),
        () => `run ${run.id}: approval closed by ${approval.decidedBy} while ${run.status}`,
      );
      continue;
    }
    if (!final.has(run.status)) continue;
    // The decision itself is never lost: it stays in the approvals table. It reaches the
    // decision log when the approval node runs with it, which a run that failed in or
    // before that node (a store error after the decision, seen under chaos) never did.
    if (run.status !== "succeeded") continue;
    const logged = decisions.filter(
      (decision) => decision.kind === "approval" && decision.node === approval.node,
    );
    check.that(
      logged.some((decision) => decision.choice === approval.status),
      () =>
        `run ${run.id}: approval ${approval.status} by ${approval.decidedBy} missing from the log (${logged.map((decision) => decision.choice).join(",")})`,
    );
    if (run.status === "succeeded" && (run.output as { decision?: string } | null)?.decision)
      check.that(
        (run.output as { decision: string }).decision === approval.status,
        () =>
          `run ${run.id}: output says ${(run.output as { decision: string }).decision}, approval ${approval.status}`,
      );
  }
  checkEffects(check, run, effects, downstream);
}

function checkEffects(
  check: Checker,
  run: RunRecord,
  effects: readonly { key: string; node: string; status: string }[],
  downstream: { fleet: ReadonlySet<string>; chaos: readonly ChaosLedgerRow[] },
): void {
  const completed = effects.filter((effect) => effect.status === "completed");
  if (run.workflow === CRASH_WORKFLOW || run.workflow === APPROVAL_WORKFLOW) {
    // One key per node: a replay that changed the key would have performed it again.
    const nodes = groupBy([...downstream.fleet], (key) => key.split(":")[1] ?? "");
    for (const [node, keys] of nodes)
      check.that(
        keys.length === 1,
        () => `run ${run.id}: ${node} performed under ${keys.length} keys`,
      );
    for (const effect of completed)
      check.that(
        downstream.fleet.has(effect.key),
        () => `run ${run.id}: ${effect.key} journaled, never performed`,
      );
  }
  if (run.workflow === CHAOS_WORKFLOW) {
    const nodes = groupBy(downstream.chaos, (row) => row.node);
    for (const [node, rows] of nodes)
      check.that(rows.length === 1, () => `run ${run.id}: ${node} performed ${rows.length} times`);
    const keys = new Set(downstream.chaos.map((row) => row.key));
    for (const effect of completed)
      check.that(
        keys.has(effect.key),
        () => `run ${run.id}: ${effect.key} journaled, never performed`,
      );
    if (run.status === "succeeded") {
      const output = run.output as { decision: string };
      const expected =
        output.decision === "rejected" ? ["reserve", "notify"] : ["reserve", "charge", "notify"];
      check.that(
        JSON.stringify([...nodes.keys()].sort()) === JSON.stringify([...expected].sort()),
        () =>
          `run ${run.id}: performed ${[...nodes.keys()].join(",")}, expected ${expected.join(",")}`,
      );
    }
  }
  if (run.workflow === "support_triage") {
    const refunds = completed.filter((effect) => effect.node === "issue_refund");
    check.that(refunds.length <= 1, () => `run ${run.id}: ${refunds.length} refunds journaled`);
  }
}
