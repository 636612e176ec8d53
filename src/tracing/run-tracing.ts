import { context, type Span, SpanStatusCode, type Tracer, trace } from "@opentelemetry/api";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
} from "@opentelemetry/sdk-trace-base";
import type { DecisionRecord } from "../contracts/decision.ts";
import type { RunEvent } from "../graph/events.ts";
import type { ObservedRun, RunObserver } from "../runtime/run-observer.ts";
import type { Runtime } from "../runtime/runtime.ts";
import type { RunRecord } from "../store/types.ts";

/** Options for {@link startTracing}. */
export interface TracingOptions {
  /** Where spans go; default an OTLP/HTTP exporter (its URL from `endpoint` or the OTEL_* environment). */
  readonly exporter?: SpanExporter;
  /** The OTLP endpoint's base URL (`/v1/traces` is appended), when no exporter is given. */
  readonly endpoint?: string;
  readonly serviceName?: string;
  /** `batch` (default) exports in the background; `simple` exports each span as it ends (tests). */
  readonly processing?: "batch" | "simple";
}

/** Tracing of one runtime; `shutdown` flushes what is buffered and stops observing. */
export interface RunTracing {
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

interface TracedRun {
  readonly span: Span;
  readonly nodes: Map<string, Span>;
}

const DECISION_EVENT = "signalbox.decision";

/** The GenAI semantic conventions' attributes of one LLM call. */
function llmAttributes(decision: DecisionRecord, run: ObservedRun) {
  return {
    "gen_ai.operation.name": "chat",
    "gen_ai.request.model": decision.modelId ?? "unknown",
    "gen_ai.response.model": decision.modelId ?? "unknown",
    ...(decision.tokensIn === null ? {} : { "gen_ai.usage.input_tokens": decision.tokensIn }),
    ...(decision.tokensOut === null ? {} : { "gen_ai.usage.output_tokens": decision.tokensOut }),
    "signalbox.run.id": run.runId,
    "signalbox.node": decision.node,
    ...(decision.costUsd === undefined || decision.costUsd === null
      ? {}
      : { "signalbox.cost_usd": decision.costUsd }),
  };
}

function decisionAttributes(decision: DecisionRecord) {
  return {
    "signalbox.decision.kind": decision.kind,
    "signalbox.decision.node": decision.node,
    "signalbox.decision.choice": decision.choice,
    "signalbox.decision.reason": decision.reason,
    "signalbox.decision.decided_by": decision.decidedBy,
    "signalbox.decision.options": decision.options.map((option) => option.name),
    ...(decision.confidence === null
      ? {}
      : { "signalbox.decision.confidence": decision.confidence }),
    ...(decision.modelId === null ? {} : { "signalbox.decision.model": decision.modelId }),
  };
}

/** Turns the runtime's observations into spans: a run per drive, a node per node, LLM calls, decisions as events. */
class SpanObserver implements RunObserver {
  private readonly runs = new Map<string, TracedRun>();

  constructor(private readonly tracer: Tracer) {}

  readonly driveStart = (run: RunRecord) => {
    const span = this.tracer.startSpan(`run ${run.workflow}`, {
      attributes: {
        "signalbox.run.id": run.id,
        "signalbox.workflow": run.workflow,
        "signalbox.workflow.version": run.version,
        "signalbox.run.trigger": run.trigger,
        "signalbox.run.dry_run": run.dryRun,
        "signalbox.run.epoch": run.epoch,
      },
    });
    this.runs.set(run.id, { span, nodes: new Map() });
  };

  readonly event = (event: RunEvent, run: ObservedRun) => {
    const traced = this.runs.get(run.runId);
    if (traced === undefined) return;
    if (event.type === "node-start") {
      const parent = trace.setSpan(context.active(), traced.span);
      const span = this.tracer.startSpan(
        `node ${event.node}`,
        { attributes: { "signalbox.node": event.node, "signalbox.run.id": run.runId } },
        parent,
      );
      traced.nodes.set(event.node, span);
    } else if (event.type === "node-end") {
      const span = traced.nodes.get(event.node);
      if (span === undefined) return;
      traced.nodes.delete(event.node);
      if (event.error !== undefined)
        span.setStatus({ code: SpanStatusCode.ERROR, message: event.error });
      span.end();
    }
  };

  readonly decision = (decision: DecisionRecord, run: ObservedRun) => {
    const traced = this.runs.get(run.runId);
    if (traced === undefined) return;
    const holder = traced.nodes.get(decision.node) ?? traced.span;
    holder.addEvent(DECISION_EVENT, decisionAttributes(decision));
    if (decision.decidedBy !== "llm" && decision.tokensIn === null) return;
    const end = Date.parse(decision.at);
    const span = this.tracer.startSpan(
      `chat ${decision.modelId ?? "unknown"}`,
      { attributes: llmAttributes(decision, run), startTime: end - (decision.latencyMs ?? 0) },
      trace.setSpan(context.active(), holder),
    );
    span.end(end);
  };

  readonly driveEnd = (settled: RunRecord | undefined, run: ObservedRun, error?: unknown) => {
    const traced = this.runs.get(run.runId);
    if (traced === undefined) return;
    this.runs.delete(run.runId);
    for (const span of traced.nodes.values()) span.end();
    const status = settled?.status ?? "lost";
    traced.span.setAttribute("signalbox.run.status", status);
    if (error !== undefined) {
      traced.span.recordException(error instanceof Error ? error : String(error));
      traced.span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
    } else if (status === "failed" || status === "compensated")
      traced.span.setStatus({ code: SpanStatusCode.ERROR, message: settled?.error ?? status });
    traced.span.end();
  };
}

async function defaultExporter(endpoint: string | undefined): Promise<SpanExporter> {
  const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-http");
  return new OTLPTraceExporter(
    endpoint === undefined ? {} : { url: `${endpoint.replace(/\/$/, "")}/v1/traces` },
  );
}

/**
 * Traces the runs this runtime drives with OpenTelemetry: a span per run drive and per
 * node, LLM calls as child spans with the GenAI semantic conventions (`gen_ai.*`), and
 * every decision as a span event with its choice, reason and who decided. Its own
 * tracer provider: nothing global is registered. Import this module only when tracing
 * is wanted (the CLI does so when OTEL_EXPORTER_OTLP_ENDPOINT is set), so it costs
 * nothing otherwise.
 */
export async function startTracing(
  runtime: Runtime,
  options: TracingOptions = {},
): Promise<RunTracing> {
  const exporter = options.exporter ?? (await defaultExporter(options.endpoint));
  const processor =
    options.processing === "simple"
      ? new SimpleSpanProcessor(exporter)
      : new BatchSpanProcessor(exporter);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": options.serviceName ?? "signalbox" }),
    spanProcessors: [processor],
  });
  const stop = runtime.observe(new SpanObserver(provider.getTracer("signalbox")));
  return {
    forceFlush: () => provider.forceFlush(),
    shutdown: async () => {
      stop();
      await provider.shutdown();
    },
  };
}
