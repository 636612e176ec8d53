import { z } from "zod";
import { stepOf } from "../graph/decision-path.ts";
import type { RunDetails } from "../runtime/runtime.ts";
import { RUN_STATUSES } from "../store/types.ts";
import { narrateRun } from "./narrate-run.ts";

/** Every run status, as the MCP schemas spell them. */
export const RUN_STATUS_VALUES = RUN_STATUSES;

/** One entry of the compact decision path: node → choice: reason. */
export const DecisionStep = z.object({
  node: z.string(),
  kind: z.string().describe("route, approval, tool, retry, fallback, compensation or escalation"),
  choice: z.string(),
  reason: z.string(),
  decidedBy: z.string().describe("rule, classifier, llm, human or default"),
});

/** A side effect the run performed, or (in a dry run) planned. */
export const EffectStep = z.object({
  node: z.string(),
  name: z.string(),
  status: z.string(),
  args: z.unknown(),
});

/** The approval a waiting run is paused on. */
export const PendingApproval = z.object({
  node: z.string(),
  message: z.string(),
  deadline: z.string().nullable(),
  details: z.unknown(),
});

/** Why a run failed, was compensated or cancelled: the stored error record. */
export const RunFailureResult = z.object({
  code: z
    .string()
    .describe("STEP_FAILED, STEP_LIMIT, OUTPUT_INVALID, CANCELLED, … or a step's own code"),
  message: z.string(),
  node: z.string().nullable().describe("The node the error was raised in, if any"),
  details: z.record(z.string(), z.unknown()),
});

function buildRunResultSchema(output: z.ZodType) {
  return z.object({
    runId: z.string(),
    workflow: z.string(),
    status: z.enum(RUN_STATUS_VALUES),
    dryRun: z.boolean(),
    output: output.nullable().describe("The workflow's output once it succeeded, else null"),
    error: z.string().nullable(),
    failure: RunFailureResult.nullable().describe(
      "The structured error of a run that did not succeed",
    ),
    decisionPath: z.array(DecisionStep).describe("Why the run went where it went, in order"),
    effects: z.array(EffectStep),
    approval: PendingApproval.nullable().describe("The pending approval of a waiting run"),
    next: z.string().nullable().describe("What to do next, e.g. how to approve a waiting run"),
    narrative: z.string().describe("Why the run went where it went, in plain language"),
  });
}

const UNKNOWN_OUTPUT = z.unknown();
/** Built once per output schema: every MCP session registers the same tools (issue 12). */
const built = new WeakMap<z.ZodType, ReturnType<typeof buildRunResultSchema>>();

/**
 * The structured result of every tool that starts, continues or shows a run;
 * `output` is the workflow's own output schema where the tool knows it. The same
 * output schema gives the same object, so sessions share their tools' schemas.
 */
export function runResultSchema(output: z.ZodType = UNKNOWN_OUTPUT) {
  let schema = built.get(output);
  if (schema === undefined) {
    schema = buildRunResultSchema(output);
    built.set(output, schema);
  }
  return schema;
}

/** The structured content of a run tool result. */
export type RunResult = z.infer<ReturnType<typeof runResultSchema>>;

function nextStep(details: RunDetails): string | null {
  const { run } = details;
  if (run.status === "waiting") {
    return `The run is waiting for a human approval. To continue it, call the approve_run tool with {"runId": "${run.id}", "decision": "approve"} (or "reject" / "request_changes", with an optional "comment"), or run: signalbox approve ${run.id}`;
  }
  if (run.status === "running" || run.status === "queued") {
    return `The run is still going; call get_run with {"runId": "${run.id}"} to see where it is.`;
  }
  return null;
}

/** Condenses a run into the structured result the MCP tools return. */
export function summarizeRun(details: RunDetails): RunResult {
  const { run } = details;
  const pending = details.approvals.find((approval) => approval.status === "pending");
  return {
    runId: run.id,
    workflow: run.workflow,
    status: run.status,
    dryRun: run.dryRun,
    output: run.output ?? null,
    error: run.error,
    failure: run.failure,
    decisionPath: details.decisions.map((decision) => ({
      node: decision.node,
      kind: decision.kind,
      choice: decision.choice,
      reason: decision.reason,
      decidedBy: decision.decidedBy,
    })),
    effects: details.effects.map((effect) => ({
      node: effect.node,
      name: effect.name,
      status: effect.status,
      args: effect.args,
    })),
    approval: pending
      ? {
          node: pending.node,
          message: pending.message,
          deadline: pending.deadline,
          details: pending.details,
        }
      : null,
    next: nextStep(details),
    narrative: narrateRun(details).text,
  };
}

/** One line per decision; an agent's tool calls and a sub-workflow's decisions indented under their step (issue 16). */
function pathLines(path: RunResult["decisionPath"]): string[] {
  const lines: string[] = [];
  let step: string | undefined;
  let calls = 0;
  for (const entry of path) {
    const top = stepOf(entry.node);
    if (top !== step) calls = 0;
    const nested = entry.node !== top || entry.kind === "tool";
    if (nested && top !== step) lines.push(`  ${top}:`);
    step = top;
    if (entry.kind === "tool") calls += 1;
    const inner = entry.node.slice(top.length).replace(/^\//, "");
    const label = entry.kind === "tool" ? `${inner ? `${inner} ` : ""}tool call ${calls}` : inner;
    lines.push(
      nested
        ? `    ${label} → ${entry.choice}: ${entry.reason} [${entry.decidedBy}]`
        : `  ${entry.node} → ${entry.choice}: ${entry.reason} [${entry.decidedBy}]`,
    );
  }
  return lines;
}

/** The same result as text, for clients that ignore structured content. */
export function renderRunResult(result: RunResult): string {
  const lines = [
    `run ${result.runId} (${result.workflow}): ${result.status}${result.dryRun ? " (dry run: no write effects performed)" : ""}`,
    `why: ${result.narrative}`,
    "decision path:",
    ...(result.decisionPath.length > 0 ? pathLines(result.decisionPath) : ["  (no decisions yet)"]),
  ];
  if (result.effects.length > 0) {
    lines.push(result.dryRun ? "effect plan:" : "effects:");
    for (const effect of result.effects) lines.push(`  ${effect.name}: ${effect.status}`);
  }
  if (result.approval)
    lines.push(`approval pending at ${result.approval.node}: ${result.approval.message}`);
  if (result.output !== null) lines.push(`output: ${JSON.stringify(result.output)}`);
  if (result.error) lines.push(`error: ${result.error}`);
  if (result.failure)
    lines.push(
      `error code: ${result.failure.code}${result.failure.node ? ` (in node ${result.failure.node})` : ""}`,
    );
  if (result.next) lines.push(`next: ${result.next}`);
  return lines.join("\n");
}
