import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareWithBaseline, readBaseline } from "../../src/eval/baseline.ts";
import { loadEvalSuite } from "../../src/eval/load-suite.ts";
import { runEval } from "../../src/eval/run-eval.ts";
import type { EvalResult } from "../../src/eval/types.ts";
import { SqliteRunStore } from "../../src/store/sqlite-store.ts";
import { tempHome } from "../support/runtime.ts";

const repository = resolve(import.meta.dirname, "../..");

let home: string;
let cleanup: () => void;
let store: SqliteRunStore;
let result: EvalResult;

beforeAll(async () => {
  ({ home, cleanup } = tempHome("signalbox-eval-support-"));
  store = new SqliteRunStore(join(home, "signalbox.db"));
  const suite = await loadEvalSuite("support-triage", { cwd: repository });
  result = await runEval({ suite, store });
  // Two configurations of 140+ cases each, on a shared CPU.
}, 300_000);
afterAll(async () => {
  await store.close();
  cleanup();
});

describe("the support-triage suite, offline", () => {
  it("has at least 60 hand-written cases", () => {
    expect(result.configs[0]?.summary.cases).toBeGreaterThanOrEqual(60);
  });

  it("matches the committed baseline in both directions (no new failures, no stale expected failures)", async () => {
    const suite = await loadEvalSuite("support-triage", { cwd: repository });
    const baseline = await readBaseline(suite.baseline ?? "");
    expect(baseline, "evals/baselines/support-triage.json is missing").toBeDefined();
    for (const config of result.configs) {
      const comparison = compareWithBaseline(
        baseline ?? { format: "signalbox-eval-baseline/1", suite: "", configs: {} },
        config,
        suite.tolerance,
      );
      expect(comparison.found).toBe(true);
      expect(comparison.newFailures, "cases that passed before and fail now").toEqual([]);
      expect(comparison.fixed, "expected failures that pass now: update the baseline").toEqual([]);
      expect(comparison.metricDrops).toEqual([]);
    }
  });

  it("runs every case as a dry-run with trigger eval, performing nothing and leaving nothing waiting", async () => {
    const runs = await store.listRuns({ limit: 1000 });
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.every((run) => run.dryRun && run.trigger === "eval")).toBe(true);
    expect(runs.some((run) => run.status === "waiting")).toBe(false);
    expect(await store.listApprovals({ status: "pending" })).toEqual([]);
    const effects = result.configs.flatMap((config) =>
      config.cases.flatMap((item) => item.outcome.effects),
    );
    expect(effects.length).toBeGreaterThan(0);
    expect(effects.every((effect) => effect.status === "planned")).toBe(true);
  });

  it("keeps each case's decision path in the store", async () => {
    const refund = result.configs[0]?.cases.find((item) => item.id === "refund-basic");
    const decisions = await store.listDecisions({ runId: refund?.outcome.runId ?? "" });
    expect(decisions.map((decision) => decision.node)).toContain("classify_intent");
  });

  it("scores at least 30 technical cases through the agent step: tools run, tools never run, the cited article (issue 16)", () => {
    const agent = result.configs[0]?.cases.filter((item) => item.tags.includes("agent")) ?? [];
    expect(agent.length).toBeGreaterThanOrEqual(30);
    const reached = agent.filter((item) => (item.outcome.toolCalls ?? []).length > 0);
    expect(reached.length).toBeGreaterThanOrEqual(30);
    expect(agent.every((item) => item.expect.tools !== undefined)).toBe(true);
    // Every run that reached the agent searched the help centre first.
    for (const item of reached)
      expect(item.outcome.toolCalls?.[0]).toMatchObject({
        node: "solve_technical",
        tool: "search_help_center",
        outcome: "ran",
      });
    // A question no article answers ends in a planned ticket, never a made-up citation.
    const noArticle = agent.filter((item) => item.id.includes("no-article") && item.passed);
    expect(noArticle.length).toBeGreaterThanOrEqual(3);
    for (const item of noArticle) {
      expect(item.outcome.effects.map((effect) => effect.name)).toContain("open_ticket");
      expect((item.outcome.output as { article: unknown }).article).toBeNull();
    }
  });

  it("scores the LLM path from recorded replies: the agent's tool calls over the OpenAI wire format, refusals logged (issue 16)", () => {
    const local = result.configs.find((config) => config.name === "local-llm");
    expect(local?.replyMode).toBe("replay");
    expect(local?.replayMisses).toBe(0);
    expect(local?.summary.tokensIn).toBeGreaterThan(0);
    const refused = (local?.cases ?? []).flatMap((item) =>
      (item.outcome.toolCalls ?? []).filter((call) => call.outcome === "refused"),
    );
    // The stand-in asks for the tools customers name; the allow-list turns each down.
    expect(refused.map((call) => call.tool).sort()).toEqual([
      "delete_account",
      "issue_refund",
      "shell",
    ]);
    const misuse = (local?.cases ?? []).filter((item) => item.tags.includes("tool-misuse"));
    expect(misuse.length).toBeGreaterThanOrEqual(3);
    expect(misuse.every((item) => item.passed)).toBe(true);
  });

  it("keeps the agent's tool calls in the decision log, decided by the model", async () => {
    const local = result.configs.find((config) => config.name === "local-llm");
    const asked = local?.cases.find((item) => item.id === "agent-asks-refund-tool");
    const decisions = await store.listDecisions({ runId: asked?.outcome.runId ?? "" });
    const tools = decisions.filter((decision) => decision.kind === "tool");
    expect(tools.slice(0, 2).map((decision) => [decision.choice, decision.decidedBy])).toEqual([
      ["refused", "llm"],
      ["search_help_center", "llm"],
    ]);
    expect(tools.map((decision) => decision.choice)).not.toContain("issue_refund");
    expect(tools[0]?.reason).toMatch(
      /^the customer asked for it by name → refused: tool "issue_refund" is not available/,
    );
  });

  it("scores the intent route with its cascade", () => {
    const node = result.configs[0]?.summary.nodes.find((entry) => entry.node === "classify_intent");
    expect(node?.tiers.rule).toBeGreaterThan(0);
    expect(node?.tiers.classifier).toBeGreaterThan(0);
    expect(node?.branches.map((branch) => branch.branch)).toContain("escalate_to_human");
  });
});
