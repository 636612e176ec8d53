import { readFileSync } from "node:fs";
import { InMemorySpanExporter, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Runtime } from "../../src/runtime/runtime.ts";
import type { RunRecord } from "../../src/store/types.ts";
import { type RunTracing, startTracing } from "../../src/tracing/run-tracing.ts";
import { createBuiltinWorkflows } from "../../src/workflows/index.ts";
import { llm, ticket } from "../fixtures/llm-ticket.ts";
import { openTestRuntime, tempHome } from "../support/runtime.ts";

let runtime: Runtime;
let tracing: RunTracing;
let cleanup: () => void;
const exporter = new InMemorySpanExporter();
const runs = {} as Record<"ticket" | "large", RunRecord>;

beforeAll(async () => {
  const temp = tempHome("signalbox-tracing-");
  cleanup = temp.cleanup;
  ({ runtime } = openTestRuntime(temp.home, [...createBuiltinWorkflows(temp), ticket], { llm }));
  tracing = await startTracing(runtime, { exporter, processing: "simple" });
  runs.ticket = await runtime.start("ticket", { text: "hmm about the thing from last week" });
  const large = JSON.parse(readFileSync("examples/large-refund.json", "utf8"));
  runs.large = await runtime.start("support_triage", large);
  await runtime.approve(runs.large.id, { by: "dana", comment: "fine" });
  await tracing.forceFlush();
});

afterAll(async () => {
  await tracing?.shutdown();
  await runtime?.close();
  cleanup();
});

const spansOf = (runId: string) =>
  exporter.getFinishedSpans().filter((span) => span.attributes["signalbox.run.id"] === runId);
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe("OpenTelemetry traces", () => {
  it("makes a span per run with a child span per node, in order", () => {
    const spans = spansOf(runs.ticket.id);
    const run = spans.find((span) => span.name === "run ticket");
    expect(run?.attributes).toMatchObject({
      "signalbox.workflow": "ticket",
      "signalbox.run.status": "succeeded",
    });
    const nodes = spans.filter((span) => span.name.startsWith("node "));
    expect(nodes.map((span) => span.name)).toEqual(["node pick", "node refund"]);
    for (const node of nodes) {
      expect(parentOf(node)).toBe(run?.spanContext().spanId);
      expect(node.spanContext().traceId).toBe(run?.spanContext().traceId);
    }
  });

  it("records the LLM call with the GenAI semantic conventions, under its node", () => {
    const spans = spansOf(runs.ticket.id);
    const pick = spans.find((span) => span.name === "node pick");
    const call = spans.find((span) => span.name === "chat scripted-model");
    expect(call?.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.request.model": "scripted-model",
      "gen_ai.usage.input_tokens": 40,
      "gen_ai.usage.output_tokens": 6,
    });
    expect(parentOf(call as ReadableSpan)).toBe(pick?.spanContext().spanId);
  });

  it("adds each decision as a span event with its reason and who decided", async () => {
    const pick = spansOf(runs.ticket.id).find((span) => span.name === "node pick");
    const [stored] = (await runtime.get(runs.ticket.id)).decisions;
    expect(pick?.events.map((event) => event.name)).toEqual(["signalbox.decision"]);
    expect(pick?.events[0]?.attributes).toMatchObject({
      "signalbox.decision.kind": "route",
      "signalbox.decision.choice": "refund",
      "signalbox.decision.reason": stored?.reason,
      "signalbox.decision.decided_by": "llm",
    });
    expect(stored?.reason).toContain("asks for money back");
  });

  it("traces each drive of a run: paused at the approval, then resumed and finished", () => {
    const drives = spansOf(runs.large.id).filter((span) => span.name === "run support_triage");
    expect(drives.map((span) => span.attributes["signalbox.run.status"])).toEqual([
      "waiting",
      "succeeded",
    ]);
    const approval = spansOf(runs.large.id)
      .flatMap((span) => span.events)
      .find((event) => event.attributes?.["signalbox.decision.kind"] === "approval");
    expect(approval?.attributes).toMatchObject({ "signalbox.decision.decided_by": "human" });
  });

  it("stops tracing on shutdown", async () => {
    await tracing.shutdown();
    const before = exporter.getFinishedSpans().length;
    await runtime.start("ticket", { text: "hmm, something vague again" });
    expect(exporter.getFinishedSpans().length).toBe(before);
  });
});
