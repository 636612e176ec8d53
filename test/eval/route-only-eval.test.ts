import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadEvalSuite } from "../../src/eval/load-suite.ts";
import { runEval } from "../../src/eval/run-eval.ts";
import type { CaseResult, ConfigResult, EvalResult } from "../../src/eval/types.ts";
import { SqliteRunStore } from "../../src/store/sqlite-store.ts";
import {
  type OpenAiTestServer,
  promptText,
  startOpenAiTestServer,
} from "../../src/testing/openai-server.ts";
import { keywordReply, writeOfflineVsLocalSuite } from "../fixtures/tiny-suite.ts";
import { tempHome } from "../support/runtime.ts";

const TRAIN = `text,label
I want my money back,refund
please refund my order,refund
refund the duplicate charge,refund
the app crashes when I open it,technical
error 500 when uploading a file,technical
I cannot log in to my account,technical
what is the weather tomorrow,out_of_scope
`;

// Above the default input limit (256 KiB): a run rejects it before any node runs.
const HUGE = "refund ".repeat(40_000);

const TEST = `text,label
please refund my order,refund
the app crashes on start,technical
hmm about the thing from last week,technical
my money for the thing that broke,refund
tell me a joke,out_of_scope
${HUGE},refund
`;

let cleanups: (() => void)[] = [];
let servers: OpenAiTestServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  for (const cleanup of cleanups.splice(0)) cleanup();
  cleanups = [];
  servers = [];
});

/** A stand-in model: answers by keyword; one kind of text gets an invalid answer first. */
async function fakeModel() {
  const server = await startOpenAiTestServer();
  servers.push(server);
  server.respondWith((request) => {
    const prompt = promptText(request);
    const [asked = "", repair] = prompt.split("\n\nYour previous answer was invalid");
    const text = asked.split("\n").at(-1) ?? "";
    if (/last week/.test(text) && repair === undefined)
      return { kind: "json", value: { branch: "nonsense", reason: "?" } };
    const branch = /crash|last week/.test(text)
      ? "technical"
      : /money/.test(text)
        ? "refund"
        : "escalate";
    return keywordReply(branch);
  });
  return server;
}

function writeSuite(directory: string, url: string) {
  return writeOfflineVsLocalSuite(directory, { train: TRAIN, test: TEST }, url);
}

async function run(file: string, store: SqliteRunStore, runs: boolean) {
  const suite = await loadEvalSuite(file);
  return runEval({ suite, store, concurrency: 2, runs });
}

/** A case as the reports read it, without what differs between two runs of it. */
function comparable(item: CaseResult) {
  const { runId: _runId, latencyMs: _latency, routes, ...outcome } = item.outcome;
  const stripped = Object.fromEntries(
    Object.entries(routes).map(([node, { latencyMs: _ms, ...route }]) => [node, route]),
  );
  return { ...item, outcome: { ...outcome, routes: stripped } };
}

function figures(config: ConfigResult) {
  const {
    latencyP50Ms: _p50,
    latencyP95Ms: _p95,
    casesPerSecond: _rate,
    nodes,
    ...rest
  } = config.summary;
  return {
    ...rest,
    nodes: nodes.map(({ latencyP50Ms: _a, latencyP95Ms: _b, ...node }) => node),
  };
}

const configNamed = (result: EvalResult, name: string) =>
  result.configs.find((config) => config.name === name) as ConfigResult;

describe("a classification suite scored by its route alone", () => {
  it("gives every case the outcome its dry-run gives, offline and with an LLM tier, and stores no run", async () => {
    const { home, cleanup } = tempHome("signalbox-eval-route-");
    cleanups.push(cleanup);
    const server = await fakeModel();
    const file = writeSuite(home, server.url);
    const store = new SqliteRunStore(join(home, "signalbox.db"));
    try {
      const fast = await run(file, store, false);
      expect(await store.listRuns()).toHaveLength(0);
      const asked = server.requests.length;
      const slow = await run(file, store, true);
      // Both paths asked the model the same questions.
      expect(server.requests.length).toBe(2 * asked);

      for (const name of ["offline", "local"]) {
        const [a, b] = [configNamed(fast, name), configNamed(slow, name)];
        expect(a.cases.map(comparable)).toEqual(b.cases.map(comparable));
        expect(figures(a)).toEqual(figures(b));
        expect(a.cases.every((item) => item.outcome.runId === null)).toBe(true);
      }
      const local = configNamed(fast, "local");
      // The cascade ran: the classifier decided some, the LLM (with one repair) the others.
      expect(local.summary.llmDecisions).toBeGreaterThan(0);
      expect(local.summary.llmAvoided).toBeGreaterThan(0);
      expect(local.summary.tokensIn).toBe(120 * local.summary.llmDecisions);
      const repaired = local.cases.find((item) => item.id === "test-3");
      expect(repaired?.outcome.routes.classify).toMatchObject({
        choice: "technical",
        decidedBy: "llm",
      });
      expect(local.cases.at(-1)?.outcome).toMatchObject({ status: "rejected", routes: {} });
      expect(local.cases[0]?.outcome.output).toEqual({ label: "refund", escalated: false });

      // With runs: one eval-triggered dry-run per case that started (the rejected input never did).
      const stored = await store.listRuns();
      const started = slow.configs.flatMap((config) =>
        config.cases.filter((item) => item.outcome.runId !== null),
      );
      expect(started).toHaveLength(2 * 5);
      expect(stored.map((entry) => entry.id).sort()).toEqual(
        started.map((item) => item.outcome.runId).sort(),
      );
      expect(stored.every((entry) => entry.trigger === "eval" && entry.dryRun)).toBe(true);
    } finally {
      await store.close();
    }
  });
});
