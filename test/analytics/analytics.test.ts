import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportLabels, recordCorrection } from "../../src/analytics/corrections.ts";
import { diffRuns } from "../../src/analytics/diff-runs.ts";
import { narrateRun } from "../../src/analytics/narrate-run.ts";
import { pathOutcomes } from "../../src/analytics/path-outcomes.ts";
import { replayDecisions } from "../../src/analytics/replay-decisions.ts";
import { isSignalboxError } from "../../src/errors.ts";
import { createOfflineDecider } from "../../src/models/offline-decider.ts";
import { INTENT_BRANCHES } from "../../src/workflows/support-triage/branches.ts";
import { SupportData } from "../../src/workflows/support-triage/support-data.ts";
import { createSupportTriage } from "../../src/workflows/support-triage/workflow.ts";
import { openTestRuntime, tempHome } from "../support/runtime.ts";
import { recordSupportRuns } from "./support-runs.ts";

let fixture: Awaited<ReturnType<typeof recordSupportRuns>>;
beforeAll(async () => {
  fixture = await recordSupportRuns();
});
afterAll(() => fixture.close());

const intentBranches = Object.entries(INTENT_BRANCHES).map(([name, spec]) => ({
  name,
  description: spec.description,
  examples: [...((spec as { examples?: readonly string[] }).examples ?? [])],
}));

/** Everything the workflow's own data and the journal hold: replay must leave it as it was. */
async function snapshot() {
  const { store, data } = fixture;
  const runs = await store.listRuns({ limit: 1000 });
  const effects = await Promise.all(runs.map((run) => store.listEffects(run.id)));
  return {
    runs: runs.map((run) => [run.id, run.status, run.updatedAt]),
    effects: effects.flat().map((effect) => [effect.key, effect.status]),
    decisions: (await store.listDecisions({})).length,
    refunds: data.ledger("refunds"),
    outbox: data.ledger("outbox"),
    handoffs: data.ledger("handoffs"),
  };
}

describe("diff", () => {
  it("aligns two support runs and stops at the first divergent decision, with reasons, scores and inputs", async () => {
    const { runtime, runs } = fixture;
    const diff = diffRuns(await runtime.get(runs.invoice), await runtime.get(runs.refund));
    expect(diff.sameVersion).toBe(true);
    expect(diff.firstDivergence).toBe(0);
    const first = diff.aligned[0];
    expect(first?.node).toBe("classify_intent");
    expect(first?.a).toMatchObject({ branch: "billing_question", decidedBy: "classifier" });
    expect(first?.b).toMatchObject({ branch: "refund", decidedBy: "classifier" });
    expect(first?.a?.seen?.text).toBe("How do I download last month's invoice?");
    expect(first?.b?.seen?.text).toBe("Please refund order 5040, it was a mistake");
    expect(first?.a?.scores.map((score) => score.name)).toContain("refund");
    // review_draft sits inside the draft_reply subworkflow; dispatch_reply follows it (issue 16).
    expect(diff.aligned.map((pair) => pair.node)).toEqual([
      "classify_intent",
      "draft_reply/review_draft",
      "dispatch_reply",
      "approve_refund",
    ]);
    expect(diff.aligned[3]).toMatchObject({ a: null, b: { branch: "not_required" } });
  });

  it("finds no divergence between a run and itself", async () => {
    const details = await fixture.runtime.get(fixture.runs.refund);
    const diff = diffRuns(details, details);
    expect(diff.firstDivergence).toBeNull();
    expect(diff.aligned.every((pair) => pair.same)).toBe(true);
  });

  it("aligns runs of two workflow versions when one has a route the other lacks", async () => {
    const details = await fixture.runtime.get(fixture.runs.refund);
    const [first, ...rest] = details.decisions;
    if (first === undefined) throw new Error("the refund run has no decisions");
    // A newer version adds a route before the intent; its later decisions are the same.
    const added = {
      ...first,
      key: "screen@0#route0",
      node: "screen_spam",
      choice: "ham",
      sequence: 0,
    };
    const newer = {
      ...details,
      run: { ...details.run, version: `${details.run.version}-next` },
      decisions: [added, first, ...rest],
    };
    const diff = diffRuns(details, newer);
    expect(diff.sameVersion).toBe(false);
    expect(diff.aligned[0]).toMatchObject({ node: "screen_spam", a: null, same: false });
    expect(diff.aligned.slice(1).every((pair) => pair.same)).toBe(true);
    expect(diff.firstDivergence).toBe(0);
  });
});

describe("replay", () => {
  it("asks only the recorded route decisions again with a new threshold; nothing of the workflow runs", async () => {
    const before = await snapshot();
    const report = await replayDecisions({
      store: fixture.store,
      filter: { workflow: "support_triage" },
      decider: { kind: "threshold", threshold: 0.95 },
    });
    expect(await snapshot()).toEqual(before);
    // Only the classifier's intents are asked again: rules (the unknown customer, the
    // eligible refund, dispatch_reply's four) and the rules-only review_draft route's
    // defaults inside draft_reply are not.
    expect(report.considered).toBe(13);
    expect(report.replayed).toBe(4);
    expect(report.skipped).toEqual({ rule: 6, "rules only": 3 });
    const intents = await fixture.store.listDecisions({ node: "classify_intent" });
    const unsure = intents.filter(
      (decision) =>
        decision.decidedBy === "classifier" &&
        (decision.confidence ?? 1) < 0.95 &&
        decision.choice !== "escalate_to_human",
    );
    expect(unsure.length).toBeGreaterThan(0);
    expect(report.flips.map((flip) => flip.key).sort()).toEqual(unsure.map((d) => d.key).sort());
    expect(report.flips.every((flip) => flip.to === "escalate_to_human")).toBe(true);
    expect(report.escalations.delta).toBe(report.flips.length);
    const moved = Object.entries(report.confusion).flatMap(([from, row]) =>
      Object.entries(row).flatMap(([to, count]) => (from === to ? [] : [count])),
    );
    expect(moved.reduce((sum, count) => sum + count, 0)).toBe(report.flips.length);
  });

  it("asks a retrained classifier and reports each flip with its new reason", async () => {
    const before = await snapshot();
    const extra = [{ label: "billing_question", text: "I need a receipt for my accountant" }];
    const report = await replayDecisions({
      store: fixture.store,
      filter: { workflow: "support_triage", node: "classify_intent" },
      decider: {
        kind: "decider",
        name: "retrained",
        deciderFor: (_node, branches) => createOfflineDecider(branches, extra),
      },
      branchesOf: (_workflow, node) => (node === "classify_intent" ? intentBranches : undefined),
    });
    expect(await snapshot()).toEqual(before);
    expect(report.flips).toContainEqual(
      expect.objectContaining({ runId: fixture.runs.receipt, to: "billing_question" }),
    );
    expect(report.flips.map((flip) => flip.runId)).not.toContain(fixture.runs.invoice);
    expect(report.replayed).toBe(4);
    expect(report.after.latencyMs).toBeGreaterThan(0);
  });
});

describe("corrections", () => {
  it("records a human decision linked to the original, exports it as a label, and the label teaches the classifier", async () => {
    const { store, runs } = fixture;
    const original = (
      await store.listDecisions({ runId: runs.receipt, node: "classify_intent" })
    )[0];
    expect(original?.choice).not.toBe("billing_question");
    const correction = await recordCorrection(store, {
      runId: runs.receipt,
      node: "classify_intent",
      branch: "billing_question",
      note: "a receipt is a billing document",
      by: "ana",
    });
    expect(correction).toMatchObject({
      decidedBy: "human",
      corrects: original?.key,
      choice: "billing_question",
    });
    const labels = await exportLabels(store, {
      node: "classify_intent",
      workflow: "support_triage",
    });
    expect(labels).toEqual([
      {
        label: "billing_question",
        text: "I need a receipt for my accountant",
        runId: runs.receipt,
        node: "classify_intent",
        was: original?.choice,
      },
    ]);
    // A held-back case the label was not written for.
    const heldBack = "could you send a receipt for our accountant";
    const ask = async (extra: { label: string; text: string }[]) => {
      const decider = createOfflineDecider(intentBranches, extra);
      const raw = await decider.ask(
        { node: "n", text: heldBack, branches: intentBranches, state: undefined },
        () => {},
      );
      return (raw.value as { branch: string }).branch;
    };
    expect(await ask([])).not.toBe("billing_question");
    expect(await ask(labels)).toBe("billing_question");
    const paths = await pathOutcomes(store, { workflow: "support_triage" });
    const corrected = paths.filter((path) => path.corrected > 0);
    expect(corrected).toHaveLength(1);
    expect(corrected[0]?.signature).toContain(`classify_intent→${original?.choice}`);
  });

  it("refuses a branch the route does not declare and a node without a route decision, naming the field", async () => {
    const { store, runs } = fixture;
    const refused = (request: Parameters<typeof recordCorrection>[1]) =>
      recordCorrection(store, request).then(
        () => undefined,
        (error: unknown) =>
          isSignalboxError(error) ? `${error.code} ${error.message}` : String(error),
      );
    expect(
      await refused({ runId: runs.invoice, node: "classify_intent", branch: "pizza" }),
    ).toMatch(
      /^INPUT_INVALID branch: "pizza" is not a branch of classify_intent; expected one of refund, billing_question/,
    );
    expect(await refused({ runId: runs.invoice, node: "lookup_customer", branch: "x" })).toMatch(
      /^INPUT_INVALID node: .*its route decisions are at: classify_intent, draft_reply\/review_draft, dispatch_reply$/,
    );
    expect(await refused({ runId: "nope", node: "classify_intent", branch: "refund" })).toMatch(
      /^RUN_NOT_FOUND/,
    );
  });
});

describe("paths and narratives", () => {
  it("groups runs by path signature with outcomes", async () => {
    const paths = await pathOutcomes(fixture.store, { workflow: "support_triage" });
    expect(paths.reduce((sum, path) => sum + path.count, 0)).toBe(5);
    const refund = paths.find((path) => path.signature.startsWith("classify_intent→refund"));
    expect(refund).toMatchObject({ count: 1, succeeded: 1, failed: 0 });
    expect(refund?.steps.map((step) => step.node)).toEqual([
      "classify_intent",
      "draft_reply/review_draft",
      "dispatch_reply",
      "approve_refund",
    ]);
    const escalated = paths
      .filter((path) => path.escalated > 0)
      .reduce((sum, path) => sum + path.count, 0);
    const unknown = paths.find((path) =>
      path.signature.startsWith("classify_intent→escalate_to_human"),
    );
    expect(unknown).toBeDefined();
    expect(escalated).toBeGreaterThanOrEqual(1);
    expect(paths.every((path) => path.medianMs !== null && path.medianMs >= 0)).toBe(true);
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    const recent = await pathOutcomes(fixture.store, {
      workflow: "support_triage",
      since: hourAgo,
    });
    expect(recent.map((path) => [path.signature, path.count])).toEqual(
      paths.map((path) => [path.signature, path.count]),
    );
    const later = new Date(Date.now() + 3_600_000).toISOString();
    expect(await pathOutcomes(fixture.store, { workflow: "support_triage", since: later })).toEqual(
      [],
    );
  });

  it("tells why a run went where it went, from the log alone", async () => {
    const refund = narrateRun(await fixture.runtime.get(fixture.runs.refund));
    expect(refund.sentences[0]).toBe(
      `Run ${fixture.runs.refund} of support_triage@2.0.0 succeeded.`,
    );
    expect(refund.sentences[1]).toMatch(
      /^At classify_intent the classifier sent it to refund \(confidence \d\.\d\d\)/,
    );
    expect(refund.sentences[2]).toMatch(
      /^At draft_reply\/review_draft rule "eligible_refund" sent it to refund/,
    );
    expect(refund.text).toContain("it performed issue_refund, send_reply");
    const unknown = narrateRun(await fixture.runtime.get(fixture.runs.unknown));
    expect(unknown.sentences[1]).toMatch(
      /^At classify_intent rule "unknown_customer" sent it to escalate_to_human/,
    );
  });

  it("tells an agent's tool calls in order, but keeps them out of paths, diffs and replay", async () => {
    // Its own runtime: the shared fixture's counts stay those of its five runs.
    const temp = tempHome("signalbox-analytics-agent-");
    const data = new SupportData(":memory:");
    const { runtime, store } = openTestRuntime(temp.home, [createSupportTriage({ data }) as never]);
    try {
      const message = "The app crashes every time I open the settings page";
      const run = await runtime.start("support_triage", { customerId: "C-1007", message });
      const details = await runtime.get(run.id);
      const tools = details.decisions.filter((decision) => decision.kind === "tool");
      expect(tools.length).toBeGreaterThan(0);
      const story = narrateRun(details);
      const told = story.sentences.filter((sentence) => sentence.includes(" called "));
      expect(told).toEqual([
        `At ${tools[0]?.node} the agent${tools[0]?.modelId ? ` (${tools[0].modelId})` : ""} called ${tools.map((tool) => tool.choice).join(", ")}.`,
      ]);
      // After the intent and before the reply is dispatched, as the log ordered them.
      const at = (prefix: string) => story.sentences.findIndex((s) => s.startsWith(prefix));
      expect(at("At classify_intent")).toBeLessThan(story.sentences.indexOf(told[0] as string));
      expect(story.sentences.indexOf(told[0] as string)).toBeLessThan(at("At dispatch_reply"));
      const [path] = await pathOutcomes(store, { workflow: "support_triage" });
      expect(path?.signature).toMatch(/^classify_intent→technical › /);
      expect(path?.steps.some((step) => tools.some((tool) => tool.node === step.node))).toBe(false);
      expect(diffRuns(details, details).aligned.every((pair) => pair.a?.kind !== "tool")).toBe(
        true,
      );
      const report = await replayDecisions({
        store,
        filter: { workflow: "support_triage" },
        decider: { kind: "threshold", threshold: 0.95 },
      });
      expect(report.considered).toBe(
        details.decisions.filter((d) => d.kind === "route" || d.kind === "escalation").length,
      );
    } finally {
      await runtime.close();
      data.close();
      temp.cleanup();
    }
  });
});
