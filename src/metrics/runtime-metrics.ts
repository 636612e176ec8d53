import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { DecisionRecord } from "../contracts/decision.ts";
import type { RunEvent } from "../graph/events.ts";
import type { CircuitState } from "../models/circuit-breaker.ts";
import type { ObservedRun } from "../runtime/run-observer.ts";
import type { Runtime } from "../runtime/runtime.ts";

/** The Prometheus metrics of one runtime: `/metrics` answers {@link RuntimeMetrics.text}. */
export interface RuntimeMetrics {
  readonly registry: Registry;
  /** The exposition's Content-Type (Prometheus text format 0.0.4). */
  readonly contentType: string;
  /** Reads the store's gauges, then renders every metric. */
  text(): Promise<string>;
  /** Stops observing the runtime. */
  close(): void;
}

const BREAKER_STATES: readonly CircuitState[] = ["closed", "open", "half_open"];

interface Instruments {
  readonly runsFinished: Counter<"workflow" | "status">;
  readonly nodeDuration: Histogram<"workflow" | "node" | "outcome">;
  readonly decisions: Counter<"workflow" | "kind" | "decided_by">;
  readonly llmCalls: Counter<"workflow" | "model">;
  readonly tokens: Counter<"workflow" | "model" | "direction">;
  readonly cost: Counter<"workflow" | "model">;
  readonly retries: Counter<"workflow" | "model">;
}

function instruments(registry: Registry): Instruments {
  const registers = [registry];
  return {
    runsFinished: new Counter({
      name: "signalbox_runs_finished_total",
      help: "Drives that ended in this process, by workflow and the status they left the run in",
      labelNames: ["workflow", "status"],
      registers,
    }),
    nodeDuration: new Histogram({
      name: "signalbox_node_duration_seconds",
      help: "How long each node took (node-end events of runs driven in this process)",
      labelNames: ["workflow", "node", "outcome"],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    decisions: new Counter({
      name: "signalbox_decisions_total",
      help: "Decisions stored, by kind and by who decided",
      labelNames: ["workflow", "kind", "decided_by"],
      registers,
    }),
    llmCalls: new Counter({
      name: "signalbox_llm_calls_total",
      help: "Decisions an LLM made",
      labelNames: ["workflow", "model"],
      registers,
    }),
    tokens: new Counter({
      name: "signalbox_llm_tokens_total",
      help: "Tokens of LLM calls, by direction (input, output)",
      labelNames: ["workflow", "model", "direction"],
      registers,
    }),
    cost: new Counter({
      name: "signalbox_llm_cost_usd_total",
      help: "Cost of LLM calls in US dollars (when a price table is configured)",
      labelNames: ["workflow", "model"],
      registers,
    }),
    retries: new Counter({
      name: "signalbox_retries_total",
      help: "Model calls retried (each retry is a decision of kind retry)",
      labelNames: ["workflow", "model"],
      registers,
    }),
  };
}

function countDecision(metrics: Instruments, decision: DecisionRecord, run: ObservedRun): void {
  const { workflow } = run;
  const model = decision.modelId ?? "none";
  metrics.decisions.inc({ workflow, kind: decision.kind, decided_by: decision.decidedBy });
  if (decision.kind === "retry") metrics.retries.inc({ workflow, model });
  if (decision.decidedBy === "llm") metrics.llmCalls.inc({ workflow, model });
  if (decision.tokensIn !== null)
    metrics.tokens.inc({ workflow, model, direction: "input" }, decision.tokensIn);
  if (decision.tokensOut !== null)
    metrics.tokens.inc({ workflow, model, direction: "output" }, decision.tokensOut);
  if (decision.costUsd !== undefined && decision.costUsd !== null)
    metrics.cost.inc({ workflow, model }, decision.costUsd);
}

function observeEvent(metrics: Instruments, event: RunEvent, run: ObservedRun): void {
  if (event.type !== "node-end") return;
  metrics.nodeDuration.observe(
    {
      workflow: run.workflow,
      node: event.node,
      outcome: event.error === undefined ? "ok" : "error",
    },
    event.durationMs / 1000,
  );
}

/**
 * One read shared by every gauge that asks while it is in flight: prom-client collects
 * all metrics of a scrape at once, so each store read happens once per scrape.
 */
function sharedRead<T>(read: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | undefined;
  return () => {
    inFlight ??= read().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
}

/** Gauges read at scrape time: runs by status, approvals waiting, queue, workers, breaker. */
function storeGauges(runtime: Runtime, registry: Registry): void {
  const registers = [registry];
  const runCounts = sharedRead(() => runtime.store.countRuns());
  new Gauge({
    name: "signalbox_runs",
    help: "Runs in the store now, by workflow and status",
    labelNames: ["workflow", "status"],
    registers,
    async collect() {
      this.reset();
      for (const row of await runCounts())
        this.set({ workflow: row.workflow, status: row.status }, row.runs);
    },
  });
  const approvals = sharedRead(() => runtime.store.listApprovals({ status: "pending" }));
  new Gauge({
    name: "signalbox_approvals_waiting",
    help: "Approvals waiting for a decision",
    registers,
    async collect() {
      this.set((await approvals()).length);
    },
  });
  new Gauge({
    name: "signalbox_approval_oldest_age_seconds",
    help: "Age of the oldest approval waiting for a decision (0 when none)",
    registers,
    async collect() {
      const oldest = Math.min(...(await approvals()).map((a) => Date.parse(a.requestedAt)));
      this.set(Number.isFinite(oldest) ? Math.max(0, (Date.now() - oldest) / 1000) : 0);
    },
  });
  new Gauge({
    name: "signalbox_queue_depth",
    help: "Runs queued for a worker",
    registers,
    async collect() {
      const rows = await runCounts();
      this.set(rows.filter((row) => row.status === "queued").reduce((n, row) => n + row.runs, 0));
    },
  });
  processGauges(runtime, registry);
}

function processGauges(runtime: Runtime, registry: Registry): void {
  const registers = [registry];
  new Gauge({
    name: "signalbox_workers",
    help: "Workers in this process",
    registers,
    collect() {
      this.set(runtime.workerSlots.workers);
    },
  });
  new Gauge({
    name: "signalbox_worker_slots",
    help: "Runs the workers of this process may drive at once",
    registers,
    collect() {
      this.set(runtime.workerSlots.slots);
    },
  });
  new Gauge({
    name: "signalbox_runs_active",
    help: "Runs this process drives now",
    registers,
    collect() {
      this.set(runtime.activeRuns);
    },
  });
  new Gauge({
    name: "signalbox_circuit_breaker_state",
    help: "1 for the state the chat model's circuit breaker is in, 0 for the others",
    labelNames: ["model", "state"],
    registers,
    collect() {
      this.reset();
      const provider = runtime.chat;
      if (provider === undefined) return;
      for (const state of BREAKER_STATES)
        this.set({ model: provider.id, state }, provider.breaker.state === state ? 1 : 0);
    },
  });
}

/**
 * Prometheus metrics for a runtime, in a registry of their own: counters and
 * histograms from the runs this process drives (nodes, decisions, LLM calls, tokens,
 * cost, retries, finished runs), gauges read from the store when scraped (runs by
 * status, approvals waiting and their age, queue depth) and from this process
 * (workers, active runs, circuit breaker).
 */
export function createRuntimeMetrics(runtime: Runtime): RuntimeMetrics {
  const registry = new Registry();
  const metrics = instruments(registry);
  storeGauges(runtime, registry);
  const stop = runtime.observe({
    event: (event, run) => observeEvent(metrics, event, run),
    decision: (decision, run) => countDecision(metrics, decision, run),
    driveEnd: (settled, run) =>
      metrics.runsFinished.inc({ workflow: run.workflow, status: settled?.status ?? "lost" }),
  });
  return {
    registry,
    contentType: registry.contentType,
    text: () => registry.metrics(),
    close: stop,
  };
}
