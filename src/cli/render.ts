import { styleText } from "node:util";
import type { DecisionRecord } from "../contracts/decision.ts";
import { groupDecisionPath } from "../graph/decision-path.ts";
import type { RunEvent } from "../graph/events.ts";
import type { RunDetails } from "../runtime/runtime.ts";
import type { TriggerStartRecord } from "../store/types.ts";

type Color = Parameters<typeof styleText>[0];

/** Paints text only when writing to a terminal. */
export function painter(tty: boolean) {
  return (color: Color, text: string) => (tty ? styleText(color, text) : text);
}

const short = (value: unknown, max = 160) => {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text === undefined ? "" : text.length > max ? `${text.slice(0, max - 1)}…` : text;
};

function describeDecision(decision: DecisionRecord): string {
  const confidence = decision.confidence === null ? "" : ` ${decision.confidence.toFixed(2)}`;
  return `${decision.kind} → ${decision.choice} [${decision.decidedBy}${confidence}]`;
}

/** One progress line per event, for `signalbox run` on a terminal or a pipe. */
export function formatEvent(event: RunEvent, tty: boolean): string | undefined {
  const paint = painter(tty);
  switch (event.type) {
    case "run-start":
      return paint("bold", `▶ run ${event.runId} (${event.workflow})`);
    case "node-start":
      return undefined;
    case "node-end":
      return event.error
        ? paint("red", `  ✗ ${event.node} (${event.durationMs} ms): ${event.error}`)
        : `  ✓ ${event.node} ${paint("dim", `${event.durationMs} ms`)}`;
    case "branch-decision":
      return paint(
        "cyan",
        `    ↳ ${describeDecision(event.decision)}: ${short(event.decision.reason, 120)}`,
      );
    case "effect":
      return paint("yellow", `    ⚡ ${event.name}: ${event.status}`);
    case "approval-request":
      return paint("magenta", `  ⏸ approval needed at ${event.node}: ${event.message}`);
    case "run-end":
      return paint(
        event.status === "succeeded" ? "green" : "red",
        `■ ${event.status}${event.error ? `: ${event.error}` : ""}`,
      );
  }
}

function entryLines(
  decision: DecisionRecord,
  heading: string,
  pipe: string,
  paint: ReturnType<typeof painter>,
): string[] {
  const lines = [`${heading}  ${paint("cyan", describeDecision(decision))}`];
  lines.push(`${pipe}   why: ${decision.reason}`);
  const scored = decision.options.filter((option) => option.score !== undefined).slice(0, 5);
  const options =
    scored.length > 0
      ? scored.map((option) => `${option.name} ${option.score?.toFixed(2)}`)
      : decision.options.map((option) => option.name);
  lines.push(paint("dim", `${pipe}   options: ${options.join(", ")}`));
  const cost = [
    decision.modelId,
    decision.latencyMs === null ? null : `${decision.latencyMs} ms`,
    decision.tokensIn === null ? null : `${decision.tokensIn}/${decision.tokensOut} tokens`,
  ].filter(Boolean);
  if (cost.length > 0) lines.push(paint("dim", `${pipe}   ${cost.join(" · ")}`));
  return lines;
}

/**
 * The decision path as a tree: one branch per step; what happened inside a step
 * (an agent's tool calls, a sub-workflow's decisions) nested under it (issue 16).
 */
function decisionLines(
  decisions: readonly DecisionRecord[],
  paint: ReturnType<typeof painter>,
): string[] {
  const lines: string[] = [];
  const steps = groupDecisionPath(decisions);
  steps.forEach(({ step, entries }, index) => {
    const last = index === steps.length - 1;
    const branch = last ? "└─" : "├─";
    const pipe = last ? "   " : "│  ";
    const [only] = entries;
    if (entries.length === 1 && only !== undefined && only.label === "") {
      lines.push(...entryLines(only.decision, `${branch} ${paint("bold", step)}`, pipe, paint));
      return;
    }
    const calls = entries.filter((entry) => entry.decision.kind === "tool").length;
    const what =
      calls > 0 ? paint("dim", `  (agent: ${calls} tool call${calls > 1 ? "s" : ""})`) : "";
    lines.push(`${branch} ${paint("bold", step)}${what}`);
    entries.forEach((entry, inner) => {
      const end = inner === entries.length - 1;
      const heading = `${pipe}${end ? "└─" : "├─"} ${entry.label || step}`;
      lines.push(...entryLines(entry.decision, heading, `${pipe}${end ? "   " : "│  "}`, paint));
    });
  });
  return lines;
}

/** `started by webhook support (delivery msg_1)`: the trigger event behind a run. */
function startedByLine(start: TriggerStartRecord): string {
  const what =
    start.kind === "webhook" ? "delivery" : start.kind === "schedule" ? "fire time" : "file";
  return `started by ${start.kind} ${start.name} (${what} ${start.key}) at ${start.at}`;
}

/** The readable account of a run: status, the decision path as a tree, effects, approvals, output. */
export function renderRun(details: RunDetails, tty: boolean): string {
  const paint = painter(tty);
  const { run } = details;
  const lines = [
    `${paint("bold", `run ${run.id}`)}  ${run.workflow}@${run.version}  ${paint(run.status === "succeeded" ? "green" : run.status === "waiting" ? "magenta" : "red", run.status)}${run.dryRun ? paint("yellow", "  (dry-run)") : ""}`,
    paint(
      "dim",
      `started ${run.createdAt}${run.finishedAt ? `, finished ${run.finishedAt}` : ""}, trigger ${run.trigger}`,
    ),
    ...(details.startedBy ? [startedByLine(details.startedBy)] : []),
    `input: ${short(run.input)}`,
    "",
    paint("bold", "decision path"),
    ...(details.decisions.length > 0
      ? decisionLines(details.decisions, paint)
      : ["(no decisions yet)"]),
  ];
  if (details.effects.length > 0) {
    lines.push("", paint("bold", run.dryRun ? "effect plan (nothing was performed)" : "effects"));
    for (const effect of details.effects)
      lines.push(
        `  ${effect.status.padEnd(11)} ${effect.name}  ${paint("dim", short(effect.args, 100))}`,
      );
  }
  for (const approval of details.approvals) {
    const decided = approval.decidedBy
      ? ` by ${approval.decidedBy} at ${approval.decidedAt}${approval.comment ? `: ${approval.comment}` : ""}`
      : "";
    lines.push(
      "",
      `${paint("bold", "approval")} ${approval.node}: ${approval.status}${decided}`,
      paint(
        "dim",
        `  ${approval.message}${approval.deadline ? ` (deadline ${approval.deadline})` : ""}`,
      ),
    );
  }
  if (run.status === "waiting")
    lines.push(
      "",
      `waiting for approval: signalbox approve ${run.id} [--reject|--changes] --by <name> --comment <text>`,
    );
  if (run.output !== undefined && run.output !== null)
    lines.push("", paint("bold", "output"), JSON.stringify(run.output, null, 2));
  if (run.error) lines.push("", paint("red", `error: ${run.error}`));
  if (run.failure)
    lines.push(
      `  code ${run.failure.code}${run.failure.node ? `, raised in node ${run.failure.node}` : ""}`,
    );
  return lines.join("\n");
}
