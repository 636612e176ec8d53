import type { DiffSide, RunDiff } from "../analytics/diff-runs.ts";
import type { DriftChange } from "../analytics/drift.ts";
import type { PathOutcome } from "../analytics/path-outcomes.ts";
import type { ReplayReport } from "../analytics/replay-decisions.ts";
import { painter } from "./render.ts";

const cut = (text: string, max: number) =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;
const pct = (part: number, whole: number) =>
  whole === 0 ? "-" : `${Math.round((100 * part) / whole)}%`;

function sideLines(label: string, side: DiffSide | null): string[] {
  if (side === null) return [`  ${label}: (no decision at this node)`];
  const confidence = side.confidence === null ? "" : ` ${side.confidence.toFixed(2)}`;
  const scores = [...side.scores]
    .sort((left, right) => right.score - left.score)
    .slice(0, 3)
    .map((score) => `${score.name} ${score.score.toFixed(2)}`);
  return [
    `  ${label}: ${side.kind} → ${side.branch} [${side.decidedBy}${confidence}]${side.correctedTo ? ` (corrected to ${side.correctedTo})` : ""}`,
    `     why: ${cut(side.reason, 160)}`,
    ...(scores.length > 0 ? [`     scores: ${scores.join(", ")}`] : []),
    ...(side.seen
      ? [
          `     saw: ${JSON.stringify(cut(side.seen.text, 120))}${side.seen.truncated ? " (cut)" : ""}`,
        ]
      : []),
  ];
}

/** `signalbox diff` as text: both runs, the aligned path, then the first divergence side by side. */
export function renderDiff(diff: RunDiff, tty: boolean): string {
  const paint = painter(tty);
  const lines = [
    `A ${diff.a.id}  ${diff.a.workflow}@${diff.a.version}  ${diff.a.status}`,
    `B ${diff.b.id}  ${diff.b.workflow}@${diff.b.version}  ${diff.b.status}`,
    "",
  ];
  // Columns as wide as their longest entry: subworkflow nodes (draft_reply/review_draft) run long.
  const nodeWidth = Math.max(0, ...diff.aligned.map((pair) => pair.node.length));
  const branchWidth = Math.max(1, ...diff.aligned.map((pair) => (pair.a?.branch ?? "-").length));
  diff.aligned.forEach((pair, index) => {
    const mark = pair.same ? "=" : index === diff.firstDivergence ? paint("red", "≠") : "≠";
    lines.push(
      `${mark} ${pair.node.padEnd(nodeWidth)} ${(pair.a?.branch ?? "-").padEnd(branchWidth)} ${pair.b?.branch ?? "-"}`,
    );
  });
  if (diff.firstDivergence === null) {
    lines.push("", "the decision paths agree");
    return lines.join("\n");
  }
  const first = diff.aligned[diff.firstDivergence];
  lines.push(
    "",
    paint("bold", `first divergence: ${first?.node}`),
    ...sideLines("A", first?.a ?? null),
    ...sideLines("B", first?.b ?? null),
  );
  return lines.join("\n");
}

/** `signalbox replay` as text. */
export function renderReplay(report: ReplayReport): string {
  const skipped = Object.entries(report.skipped)
    .sort(([left], [right]) => left.localeCompare(right))
    .map(([why, count]) => `${count} ${why}`);
  const lines = [
    `replayed ${report.replayed} of ${report.considered} route decisions with ${report.decider}${skipped.length > 0 ? ` (not asked again: ${skipped.join(", ")})` : ""}`,
    `flips: ${report.flips.length} (${pct(report.flips.length, report.replayed)})`,
    `escalations: ${report.escalations.before} → ${report.escalations.after} (${report.escalations.delta >= 0 ? "+" : ""}${report.escalations.delta})`,
    `tokens: ${report.before.tokens} → ${report.after.tokens}; decider latency: ${report.before.latencyMs.toFixed(1)} ms → ${report.after.latencyMs.toFixed(1)} ms; cost: $${report.before.costUsd} → $${report.after.costUsd}`,
  ];
  const moves = Object.entries(report.confusion).flatMap(([from, row]) =>
    Object.entries(row).flatMap(([to, count]) =>
      from === to ? [] : [`  ${from} → ${to}: ${count}`],
    ),
  );
  if (moves.length > 0) lines.push("old → new:", ...moves);
  for (const flip of report.flips.slice(0, 20)) {
    const before = flip.confidenceBefore === null ? "" : ` ${flip.confidenceBefore.toFixed(2)}`;
    const after = flip.confidenceAfter === null ? "" : ` ${flip.confidenceAfter.toFixed(2)}`;
    lines.push(
      `  ${flip.runId} ${flip.node}: ${flip.from}${before} → ${flip.to}${after}  ${cut(flip.reason, 90)}`,
    );
  }
  if (report.flips.length > 20) lines.push(`  … ${report.flips.length - 20} more (--json for all)`);
  return lines.join("\n");
}

/** `signalbox paths` as text: one block per path, most frequent first. */
export function renderPaths(paths: readonly PathOutcome[]): string {
  if (paths.length === 0) return "no runs";
  return paths
    .map((path) => {
      const latency = path.medianMs === null ? "-" : `${Math.round(path.medianMs)} ms`;
      return [
        `${path.count} run${path.count === 1 ? "" : "s"}  ${path.signature}`,
        `   succeeded ${path.succeeded}  failed ${path.failed}  escalated ${path.escalated}  corrected ${path.corrected}${path.open > 0 ? `  open ${path.open}` : ""}  median ${latency}  tokens ${path.tokens}  $${path.costUsd}`,
      ].join("\n");
    })
    .join("\n");
}

/** `signalbox drift` as text. */
export function renderDrift(changes: readonly DriftChange[]): string {
  if (changes.length === 0)
    return "no change of decider, threshold or workflow version in the window";
  return changes
    .map((change) => {
      const mix = (shares: Readonly<Record<string, number>>) =>
        Object.entries(shares)
          .sort(([, left], [, right]) => right - left)
          .map(([branch, share]) => `${branch} ${Math.round(share * 100)}%`)
          .join(", ");
      return [
        `${change.alert ? "ALERT " : ""}${change.node} at ${change.at}: distance ${change.distance}`,
        `   before (${change.mixBefore.count}, ${change.before}): ${mix(change.mixBefore.shares)}`,
        `   after  (${change.mixAfter.count}, ${change.after}): ${mix(change.mixAfter.shares)}`,
      ].join("\n");
    })
    .join("\n");
}
