import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeTinySuite } from "../fixtures/tiny-suite.ts";
import { runCliCaptured } from "../support/cli.ts";
import { tempHome } from "../support/runtime.ts";

let home: string;
let cleanup: () => void;
let suiteFile: string;
let baselineFile: string;

async function cli(...args: string[]) {
  return runCliCaptured(["--home", home, ...args]);
}

const CASES = [
  { id: "refund", customer: "C-1001", message: "please refund order 5012", intent: "refund" },
  { id: "legal", customer: "C-1001", message: "I will sue you", intent: "escalate_to_human" },
  // A known weakness of the offline model (a bare order number goes to refund), so the suite
  // has one failure to baseline. It used to be a negated request, which a rule now catches.
  { id: "bare", customer: "C-1001", message: "5012", intent: "escalate_to_human" },
];

beforeAll(() => {
  ({ home, cleanup } = tempHome("signalbox-eval-cli-"));
  writeFileSync(join(home, "cases.jsonl"), CASES.map((row) => JSON.stringify(row)).join("\n"));
  suiteFile = join(home, "mini.json");
  baselineFile = join(home, "baselines", "mini.json");
  const suite = {
    kind: "workflow",
    name: "mini",
    workflow: "support_triage",
    dataset: "cases.jsonl",
    mapping: {
      input: { customerId: "customer", message: "message" },
      routes: { classify_intent: "intent" },
    },
    baseline: "baselines/mini.json",
  };
  writeFileSync(suiteFile, JSON.stringify(suite));
});
afterAll(() => cleanup());

function editBaseline(change: (failures: Record<string, string>) => void) {
  const baseline = JSON.parse(readFileSync(baselineFile, "utf8"));
  change(baseline.configs.offline.expectedFailures);
  writeFileSync(baselineFile, JSON.stringify(baseline));
}

describe("signalbox eval", () => {
  it("lists the shipped suites when given none", async () => {
    const result = await cli("eval");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^banking77 {2}evals\/banking77\.json$/m);
    expect(result.stdout).toMatch(/^support-triage {2}evals\/support-triage\.ts$/m);
  });

  it("writes a baseline with today's failures as expected failures", async () => {
    const result = await cli("eval", suiteFile, "--update-baseline");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("cases meeting every expectation");
    const baseline = JSON.parse(readFileSync(baselineFile, "utf8"));
    expect(Object.keys(baseline.configs.offline.expectedFailures)).toEqual(["bare"]);
  });

  it("compares with the baseline and writes JSON, JUnit XML and HTML", async () => {
    const out = (name: string) => join(home, name);
    const result = await cli(
      "eval",
      suiteFile,
      "--json",
      out("r.json"),
      "--junit",
      out("j.xml"),
      "--html",
      out("r.html"),
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/offline: ok · 0 new failures · 0 expected failures now pass/);
    expect(result.stdout).toContain("bare (expected)");
    const json = JSON.parse(readFileSync(out("r.json"), "utf8"));
    expect(json.configs[0].cases).toHaveLength(3);
    expect(json.baseline[0].regression).toBe(false);
    const junit = readFileSync(out("j.xml"), "utf8");
    expect(junit).toMatch(
      /<testsuites name="signalbox eval mini" tests="4" failures="0" errors="0" skipped="1">/,
    );
    expect(readFileSync(out("r.html"), "utf8")).toMatch(
      /<svg[^>]*aria-label="accuracy against coverage"/,
    );
    expect(readdirSync(join(home, "evals")).some((file) => file.startsWith("mini-"))).toBe(true);
  });

  it("keeps every case's run inspectable with signalbox show", async () => {
    const result = await cli("eval", suiteFile, "--json", "-");
    const json = JSON.parse(result.stdout);
    const runId = json.configs[0].cases[0].outcome.runId;
    const shown = await cli("show", runId);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain("classify_intent");
    expect(shown.stdout).toContain("(dry-run)");
  });

  it("exits 1 when a case that passed now fails", async () => {
    editBaseline((failures) => {
      delete failures.bare;
    });
    const result = await cli("eval", suiteFile);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("REGRESSION");
    expect(result.stdout).toContain("new failure bare");
    expect((await cli("eval", suiteFile, "--no-baseline")).code).toBe(0);
  });

  it("exits 1 when an expected failure now passes, so the baseline stays honest", async () => {
    editBaseline((failures) => {
      failures.bare = "kept";
      failures.refund = "used to fail";
    });
    const result = await cli("eval", suiteFile, "--junit", join(home, "stale.xml"));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("now passes refund");
    expect(readFileSync(join(home, "stale.xml"), "utf8")).toContain("expected failure now passes");
  });

  it("rejects unknown suites and model configurations with usage errors", async () => {
    const missing = await cli("eval", "no-such-suite");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no eval suite named "no-such-suite"');
    const model = await cli("--model", "gpt-9", "eval", suiteFile);
    expect(model.code).toBe(2);
    expect(model.stderr).toContain("neither a configuration of suite mini");
  });

  it("says where to get a classification suite's data when it is missing", async () => {
    const result = await cli("eval", "banking77", "--data", join(home, "nowhere"));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("PolyAI-LDN/task-specific-datasets");
    expect(existsSync(join(home, "nowhere"))).toBe(false);
  });
});

describe("signalbox eval on a classification suite (issue 12)", () => {
  const TRAIN = [
    "text,label",
    "please refund my order,refund",
    "I want my money back,refund",
    "the app crashes when I open it,technical",
    "I cannot log in to my account,technical",
  ];
  const TEST = ["text,label", "refund my money please,refund", "the app crashes,technical"];
  let own: { home: string; cleanup: () => void };
  const inOwn = (...args: string[]) => runCliCaptured(["--home", own.home, ...args]);
  beforeAll(() => {
    own = tempHome("signalbox-eval-cli-classify-");
    writeTinySuite(
      own.home,
      { train: TRAIN.join("\n"), test: TEST.join("\n") },
      { node: "classify" },
    );
  });
  afterAll(() => own.cleanup());

  it("scores the cases without storing runs, and stores a dry-run per case with --runs", async () => {
    const suite = join(own.home, "tiny.json");
    const fast = JSON.parse((await inOwn("eval", suite, "--json", "-")).stdout);
    const outcomes = fast.configs[0].cases.map((item: { outcome: unknown }) => item.outcome);
    expect(outcomes.map((outcome: { runId: unknown }) => outcome.runId)).toEqual([null, null]);
    expect(JSON.parse((await inOwn("runs", "--include-eval", "--json")).stdout)).toEqual([]);

    const slow = JSON.parse((await inOwn("eval", suite, "--runs", "--json", "-")).stdout);
    const runIds = slow.configs[0].cases.map(
      (item: { outcome: { runId: string } }) => item.outcome.runId,
    );
    expect(runIds.every((id: unknown) => typeof id === "string")).toBe(true);
    const shown = await inOwn("show", runIds[0]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain("classify");
    expect(shown.stdout).toContain("(dry-run)");
    const choices = (result: { configs: { cases: { outcome: { routes: unknown } }[] }[] }) =>
      result.configs[0]?.cases.map((item) => item.outcome.routes);
    const routeChoices = (result: Parameters<typeof choices>[0]) =>
      JSON.stringify(choices(result)).replaceAll(/"latencyMs":[\d.e-]+/g, "");
    expect(routeChoices(fast)).toBe(routeChoices(slow));
  });
});
