import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { promptText, startOpenAiTestServer } from "../../src/testing/openai-server.ts";
import { SupportData } from "../../src/workflows/support-triage/support-data.ts";
import { SUPPORT_MESSAGES, type SupportCase } from "../analytics/support-runs.ts";
import { runCliCaptured } from "../support/cli.ts";
import { tempHome } from "../support/runtime.ts";

let home: string;
let cleanup: () => void;
const runs = {} as Record<SupportCase, string>;

async function cli(...args: string[]) {
  return runCliCaptured(["--home", home, ...args]);
}

async function json<T>(...args: string[]): Promise<T> {
  const result = await cli(...args, "--json");
  if (result.code !== 0)
    throw new Error(`signalbox ${args.join(" ")} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** What the workflow wrote and what the journal holds: replay must not change it. */
async function sideEffects() {
  const data = new SupportData(join(home, "support.db"));
  const ledgers = {
    refunds: data.ledger("refunds"),
    outbox: data.ledger("outbox"),
    handoffs: data.ledger("handoffs"),
  };
  data.close();
  const listed = await json<{ id: string; status: string }[]>("runs", "--limit", "100");
  const effects = await Promise.all(
    listed.map(
      async (run) =>
        (await json<{ effects: { key: string; status: string }[] }>("show", run.id)).effects,
    ),
  );
  return { ledgers, runs: listed, effects: effects.flat() };
}

beforeAll(async () => {
  ({ home, cleanup } = tempHome("signalbox-cli-analytics-"));
  for (const [name, [customerId, message]] of Object.entries(SUPPORT_MESSAGES)) {
    const ran = await json<{ run: { id: string } }>(
      "run",
      "support_triage",
      "--input",
      JSON.stringify({ customerId, message }),
    );
    runs[name as SupportCase] = ran.run.id;
  }
});
afterAll(() => cleanup());

describe("decision analytics commands", () => {
  it("diff: jumps to the first divergent decision and shows both sides", async () => {
    const text = await cli("diff", runs.invoice, runs.refund);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("first divergence: classify_intent");
    expect(text.stdout).toMatch(/ {2}A: route → billing_question \[classifier/);
    expect(text.stdout).toMatch(/ {2}B: route → refund \[classifier/);
    expect(text.stdout).toContain('saw: "Please refund order 5040, it was a mistake"');
    const diff = await json<{ firstDivergence: number; aligned: { node: string }[] }>(
      "diff",
      runs.invoice,
      runs.refund,
    );
    expect(diff.aligned[diff.firstDivergence]?.node).toBe("classify_intent");
    const same = await cli("diff", runs.refund, runs.refund);
    expect(same.stdout).toContain("the decision paths agree");
  });

  it("replay --threshold: reports flips and escalations and performs nothing", async () => {
    const before = await sideEffects();
    const report = await json<{
      replayed: number;
      flips: { to: string }[];
      escalations: { delta: number };
    }>("replay", "--workflow", "support_triage", "--threshold", "0.95");
    expect(report.replayed).toBe(4);
    expect(report.flips.length).toBeGreaterThan(0);
    expect(report.escalations.delta).toBe(report.flips.length);
    expect(await sideEffects()).toEqual(before);
    const text = await cli("replay", "--workflow", "support_triage", "--threshold", "0.95");
    // support_triage 2.0.0 adds dispatch_reply, a rule route, after the draft_reply subworkflow.
    expect(text.stdout).toMatch(
      /^replayed 4 of 13 route decisions with threshold 0.95 \(not asked again: 6 rule, 3 rules only\)/,
    );
  });

  it("replay --model: records an LLM's replies, then replays them with no server, same report", async () => {
    const server = await startOpenAiTestServer();
    server.respondWith((request) => {
      const text = promptText(request).split("\n").at(-1) ?? "";
      const branch = /receipt|invoice/.test(text)
        ? "billing_question"
        : /refund/.test(text)
          ? "refund"
          : "escalate_to_human";
      return {
        kind: "json",
        value: { branch, reason: `keyword ${branch}`, confidence: 0.9 },
        usage: { prompt: 100, completion: 10 },
      };
    });
    const fixture = join(home, "replay-fixture.json");
    const model = `openai-compatible:test-model@${server.url}`;
    const args = [
      "--model",
      model,
      "replay",
      "--workflow",
      "support_triage",
      "--node",
      "classify_intent",
      "--fixture",
      fixture,
    ];
    const before = await sideEffects();
    const recorded = await json<Record<string, unknown>>(...args, "--record");
    const asked = server.requests.length;
    await server.close();
    expect(asked).toBe(4);
    const replayed = await json<Record<string, unknown>>(...args);
    expect(await sideEffects()).toEqual(before);
    const strip = ({
      before: _b,
      after,
      fixture: _f,
      decider: _d,
      ...rest
    }: Record<string, unknown>) => ({
      ...rest,
      tokens: (after as { tokens: number }).tokens,
    });
    expect(strip(replayed)).toEqual(strip(recorded));
    expect(replayed).toMatchObject({
      fixture: { mode: "replay", hits: 4, misses: 0 },
      after: { tokens: 440 },
    });
    expect(recorded.flips).toContainEqual(
      expect.objectContaining({ runId: runs.receipt, to: "billing_question" }),
    );
  });

  it("correct → labels export → replay --classifier: the correction teaches the classifier; paths count it", async () => {
    const corrected = await cli(
      "correct",
      runs.receipt,
      "classify_intent",
      "--branch",
      "billing_question",
      "--note",
      "a receipt is billing",
      "--by",
      "ana",
    );
    expect(corrected.code).toBe(0);
    expect(corrected.stdout).toMatch(
      /^classify_intent: corrected by ana from \w+: a receipt is billing/,
    );
    const labels = join(home, "labels.jsonl");
    const exported = await cli("labels", "export", "--node", "classify_intent", "--output", labels);
    expect(exported.stderr).toContain("1 labelled example(s) written");
    const lines = readFileSync(labels, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines).toMatchObject([
      { label: "billing_question", text: "I need a receipt for my accountant" },
    ]);
    const report = await json<{ flips: { runId: string; to: string }[] }>(
      "replay",
      "--node",
      "classify_intent",
      "--classifier",
      labels,
    );
    expect(report.flips).toContainEqual(
      expect.objectContaining({ runId: runs.receipt, to: "billing_question" }),
    );
    const paths = await json<{ corrected: number; signature: string }[]>(
      "paths",
      "--workflow",
      "support_triage",
    );
    expect(paths.filter((path) => path.corrected > 0)).toHaveLength(1);
    const shown = await cli("show", runs.receipt);
    expect(shown.stdout.split("\n")[0]).toContain(
      "A reviewer later said it should have been billing_question",
    );
  });

  it("refuses bad input with exit 2 and a message naming the field", async () => {
    const none = await cli("replay");
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("replay needs exactly one other decider");
    const both = await cli("replay", "--threshold", "0.5", "--classifier", "x.jsonl");
    expect(both.stderr).toContain("got threshold and classifier");
    const range = await cli("replay", "--threshold", "2");
    expect(range.code).toBe(2);
    expect(range.stderr).toContain("expected a number from 0 to 1");
    const branch = await cli("correct", runs.invoice, "classify_intent", "--branch", "pizza");
    expect(branch.code).toBe(2);
    expect(branch.stderr).toContain('branch: "pizza" is not a branch of classify_intent');
    const bad = join(home, "bad.jsonl");
    writeFileSync(bad, '{"label": "refund"}\n');
    const file = await cli("replay", "--classifier", bad);
    expect(file.code).toBe(2);
    expect(file.stderr).toContain("line 1");
    expect(file.stderr).toContain("text");
    const since = await cli("paths", "--since", "yesterday-ish");
    expect(since.code).toBe(2);
    expect(since.stderr).toContain("expected an age like 30m");
  });

  it("drift: says when nothing changed", async () => {
    const drift = await cli("drift", "--workflow", "support_triage");
    expect(drift.code).toBe(0);
    expect(drift.stdout).toContain("no change of decider, threshold or workflow version");
  });
});
