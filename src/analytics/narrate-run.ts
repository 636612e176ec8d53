import type { DecisionRecord } from "../contracts/decision.ts";
import type { RunDetails } from "../runtime/runtime.ts";
import { decisionPath, type PathStep } from "./decision-path.ts";

/** A run told in plain language: one sentence per turn it took, and the whole as one text. */
export interface RunNarrative {
  readonly runId: string;
  readonly sentences: readonly string[];
  readonly text: string;
}

const STATUS_WORDS: Record<string, string> = {
  queued: "is queued",
  running: "is running",
  waiting: "is waiting for a person",
  succeeded: "succeeded",
  failed: "failed",
  cancelled: "was cancelled",
  compensated: "failed and its effects were undone",
};

const DECIDERS: Record<DecisionRecord["decidedBy"], string> = {
  rule: "a rule",
  classifier: "the classifier",
  llm: "the LLM",
  human: "a person",
  default: "the declared default",
};

const trimmed = (text: string, max = 140) =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;

function who(decision: DecisionRecord): string {
  if (decision.decidedBy === "rule" && decision.seen?.rule) return `rule "${decision.seen.rule}"`;
  if (decision.decidedBy === "llm" && decision.modelId) return `the LLM (${decision.modelId})`;
  return DECIDERS[decision.decidedBy];
}

function sentenceFor(step: PathStep): string {
  const { decision } = step;
  const sure =
    decision.confidence === null ||
    decision.decidedBy === "rule" ||
    decision.decidedBy === "default"
      ? ""
      : ` (confidence ${decision.confidence.toFixed(2)})`;
  let sentence: string;
  if (decision.kind === "approval")
    sentence = `At ${step.node} the approval came out ${step.branch}: ${trimmed(decision.reason)}.`;
  else if (decision.kind === "escalation" && decision.seen?.proposed)
    sentence = `At ${step.node} ${who(decision)} leaned to ${decision.seen.proposed}${sure} but was not sure enough, so it went to ${step.branch}.`;
  else
    sentence = `At ${step.node} ${who(decision)} sent it to ${step.branch}${sure}: ${trimmed(decision.reason)}.`;
  if (step.correction !== null)
    sentence += ` A reviewer later said it should have been ${step.correction.choice}${step.correction.reason ? ` (${trimmed(step.correction.reason, 80)})` : ""}.`;
  return sentence;
}

function effectsSentence(details: RunDetails): string | undefined {
  const done = details.effects
    .filter((effect) => effect.status === "completed")
    .map((effect) => effect.name);
  const undone = details.effects
    .filter((effect) => effect.status === "compensated")
    .map((effect) => effect.name);
  const planned = details.effects
    .filter((effect) => effect.status === "planned")
    .map((effect) => effect.name);
  const parts = [
    done.length > 0 ? `it performed ${done.join(", ")}` : "",
    undone.length > 0 ? `undid ${undone.join(", ")}` : "",
    planned.length > 0 ? `planned ${planned.join(", ")} without performing it (dry run)` : "",
  ].filter((part) => part !== "");
  return parts.length === 0 ? undefined : `On the way ${parts.join("; ")}.`;
}

/** An agent's consecutive tool calls at one node, told as one sentence. */
function toolSentence(calls: readonly DecisionRecord[]): string {
  const first = calls[0] as DecisionRecord;
  const names = calls.map((call) =>
    call.options.some((option) => option.name === call.choice)
      ? call.choice
      : `a call that was ${call.choice.replaceAll("_", " ")}`,
  );
  const agent = first.modelId ? `the agent (${first.modelId})` : "the agent";
  return `At ${first.node} ${agent} called ${names.join(", ")}.`;
}

/** The run's turns (path steps) and its agents' tool calls, in log order, one sentence each. */
function turnSentences(decisions: readonly DecisionRecord[]): string[] {
  const path = decisionPath(decisions);
  const tools = [...decisions]
    .filter((decision) => decision.kind === "tool")
    .sort((left, right) => left.sequence - right.sequence);
  const turns: { sequence: number; sentence: string }[] = path.map((step) => ({
    sequence: step.decision.sequence,
    sentence: sentenceFor(step),
  }));
  let group: DecisionRecord[] = [];
  const flush = () => {
    if (group.length > 0)
      turns.push({ sequence: group[0]?.sequence ?? 0, sentence: toolSentence(group) });
    group = [];
  };
  for (const call of tools) {
    const last = group.at(-1);
    const between = path.some(
      (step) =>
        last !== undefined &&
        step.decision.sequence > last.sequence &&
        step.decision.sequence < call.sequence,
    );
    if (last !== undefined && (last.node !== call.node || between)) flush();
    group.push(call);
  }
  flush();
  return turns.sort((left, right) => left.sequence - right.sequence).map((turn) => turn.sentence);
}

/**
 * Tells why a run went where it went, from its decision log alone (a template:
 * no model is asked). The same function feeds `signalbox show`, the MCP tool
 * results and the dashboard.
 */
export function narrateRun(details: RunDetails): RunNarrative {
  const { run } = details;
  const turns = turnSentences(details.decisions);
  const sentences = [
    `Run ${run.id} of ${run.workflow}@${run.version} ${STATUS_WORDS[run.status] ?? run.status}${turns.length === 0 ? " without taking any decision" : ""}.`,
    ...turns,
  ];
  const effects = effectsSentence(details);
  if (effects !== undefined) sentences.push(effects);
  if (run.error) sentences.push(`It stopped on an error: ${trimmed(run.error)}.`);
  return { runId: run.id, sentences, text: sentences.join(" ") };
}
