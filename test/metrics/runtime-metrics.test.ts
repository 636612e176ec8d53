import { readFileSync } from "node:fs";
import parsePrometheusTextFormat, { type ParsedFamily } from "parse-prometheus-text-format";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Runtime } from "../../src/runtime/runtime.ts";
import { type SignalboxHttpServer, startHttpServer } from "../../src/server/http-server.ts";
import { createBuiltinWorkflows } from "../../src/workflows/index.ts";
import { llm, ticket } from "../fixtures/llm-ticket.ts";
import { openTestRuntime, tempHome } from "../support/runtime.ts";

let runtime: Runtime;
let server: SignalboxHttpServer;
let cleanup: () => void;
let families: Map<string, ParsedFamily>;
let exposition: string;

beforeAll(async () => {
  const temp = tempHome("signalbox-metrics-");
  cleanup = temp.cleanup;
  ({ runtime } = openTestRuntime(temp.home, [...createBuiltinWorkflows(temp), ticket], { llm }));
  server = await startHttpServer(runtime, { port: 0 });
  const example = (name: string) => JSON.parse(readFileSync(`examples/${name}.json`, "utf8"));
  await runtime.start("support_triage", example("refund-request"));
  await runtime.start("support_triage", example("large-refund"));
  await runtime.start("ticket", { text: "hmm about the thing from last week" });
  await runtime.start("ticket", { text: "something else entirely, no idea" });
  const response = await fetch(server.url.replace(/\/mcp$/, "/metrics"));
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  exposition = await response.text();
  const parsed = parsePrometheusTextFormat(exposition);
  families = new Map(parsed.map((family) => [family.name, family]));
});

afterAll(async () => {
  await server?.close();
  await runtime?.close();
  cleanup();
});

/** The value of the sample of `name` whose labels include `labels`. */
function sample(name: string, labels: Record<string, string> = {}): number | undefined {
  const family = families.get(name);
  const found = family?.metrics.find((metric) =>
    Object.entries(labels).every(([key, value]) => metric.labels?.[key] === value),
  );
  return found?.value === undefined ? undefined : Number(found.value);
}

describe("GET /metrics", () => {
  it("counts runs in the store by workflow and status, and the queue", () => {
    expect(families.get("signalbox_runs")?.type).toBe("GAUGE");
    expect(sample("signalbox_runs", { workflow: "support_triage", status: "succeeded" })).toBe(1);
    expect(sample("signalbox_runs", { workflow: "support_triage", status: "waiting" })).toBe(1);
    expect(sample("signalbox_runs", { workflow: "ticket", status: "succeeded" })).toBe(2);
    expect(sample("signalbox_queue_depth")).toBe(0);
  });

  it("reports approvals waiting and the age of the oldest", () => {
    expect(sample("signalbox_approvals_waiting")).toBe(1);
    expect(sample("signalbox_approval_oldest_age_seconds")).toBeGreaterThanOrEqual(0);
  });

  it("counts decisions by kind and decider, LLM calls, tokens and cost", () => {
    expect(families.get("signalbox_decisions_total")?.type).toBe("COUNTER");
    expect(
      sample("signalbox_decisions_total", { workflow: "ticket", kind: "route", decided_by: "llm" }),
    ).toBe(2);
    expect(
      sample("signalbox_decisions_total", {
        workflow: "support_triage",
        kind: "route",
        decided_by: "classifier",
      }),
    ).toBe(2);
    expect(
      sample("signalbox_llm_calls_total", { workflow: "ticket", model: "scripted-model" }),
    ).toBe(2);
    expect(sample("signalbox_llm_tokens_total", { workflow: "ticket", direction: "input" })).toBe(
      80,
    );
    expect(sample("signalbox_llm_tokens_total", { workflow: "ticket", direction: "output" })).toBe(
      12,
    );
    expect(sample("signalbox_llm_cost_usd_total", { workflow: "ticket" })).toBeCloseTo(0.004);
  });

  it("keeps a duration histogram per node", () => {
    expect(families.get("signalbox_node_duration_seconds")?.type).toBe("HISTOGRAM");
    // The parser folds the buckets of every labelled series of a histogram into one map,
    // so one series (ticket's pick node) is parsed on its own.
    const series = exposition
      .split("\n")
      .filter(
        (line) =>
          line.startsWith("# ") ||
          (line.startsWith("signalbox_node_duration_seconds_bucket{") &&
            line.includes('workflow="ticket"') &&
            line.includes('node="pick"')),
      )
      .join("\n");
    const pick = parsePrometheusTextFormat(series).find(
      (family) => family.name === "signalbox_node_duration_seconds",
    );
    // Sorted by bound: integer-like keys ("1", "5") come first in a JavaScript object.
    const buckets = Object.entries(pick?.metrics[0]?.buckets ?? {}).sort(
      ([a], [b]) => Number(a.replace("+Inf", "Infinity")) - Number(b.replace("+Inf", "Infinity")),
    );
    expect(buckets.length).toBe(14);
    expect(buckets.map(([bound]) => bound).at(-1)).toBe("+Inf");
    const counts = buckets.map(([, count]) => Number(count));
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(counts.at(-1)).toBe(2);
  });

  it("counts finished drives by status, and reports workers and active runs", () => {
    expect(
      sample("signalbox_runs_finished_total", { workflow: "ticket", status: "succeeded" }),
    ).toBe(2);
    expect(
      sample("signalbox_runs_finished_total", { workflow: "support_triage", status: "waiting" }),
    ).toBe(1);
    expect(sample("signalbox_workers")).toBe(0);
    expect(sample("signalbox_runs_active")).toBe(0);
  });

  it("is behind the bearer token like every other endpoint", async () => {
    const guarded = await startHttpServer(runtime, { port: 0, token: "a-long-enough-secret" });
    const url = guarded.url.replace(/\/mcp$/, "/metrics");
    try {
      expect((await fetch(url)).status).toBe(401);
      const ok = await fetch(url, { headers: { Authorization: "Bearer a-long-enough-secret" } });
      expect(ok.status).toBe(200);
    } finally {
      await guarded.close();
    }
  });
});
