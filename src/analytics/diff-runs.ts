import type { DecisionRecord } from "../contracts/decision.ts";
import type { DecisionSeen } from "../contracts/decision-seen.ts";
import type { RunDetails } from "../runtime/runtime.ts";
import { decisionPath, type PathStep } from "./decision-path.ts";

/** One side of an aligned decision: what was chosen, by whom, why, with which scores and inputs. */
export interface DiffSide {
  readonly key: string;
  readonly branch: string;
  readonly kind: DecisionRecord["kind"];
  readonly decidedBy: DecisionRecord["decidedBy"];
  readonly confidence: number | null;
  readonly reason: string;
  readonly scores: readonly { readonly name: string; readonly score: number }[];
  readonly seen: DecisionSeen | null;
  readonly correctedTo: string | null;
}

/** A pair of decisions at the same node (one side null when only one run decided there). */
export interface AlignedDecision {
  readonly node: string;
  readonly a: DiffSide | null;
  readonly b: DiffSide | null;
  readonly same: boolean;
}

/** A run as the diff summarises it. */
export interface DiffRun {
  readonly id: string;
  readonly workflow: string;
  readonly version: string;
  readonly status: string;
  readonly input: unknown;
}

/** What `signalbox diff` shows; plain JSON, for the CLI, MCP and the dashboard. */
export interface RunDiff {
  readonly a: DiffRun;
  readonly b: DiffRun;
  readonly sameVersion: boolean;
  readonly aligned: readonly AlignedDecision[];
  /** Index into `aligned` of the first decision that differs; null when the paths agree. */
  readonly firstDivergence: number | null;
}

function side(step: PathStep): DiffSide {
  const { decision } = step;
  return {
    key: decision.key,
    branch: step.branch,
    kind: decision.kind,
    decidedBy: decision.decidedBy,
    confidence: decision.confidence,
    reason: decision.reason,
    scores: decision.options.flatMap((option) =>
      option.score === undefined ? [] : [{ name: option.name, score: option.score }],
    ),
    seen: decision.seen ?? null,
    correctedTo: step.correction?.choice ?? null,
  };
}

/**
 * Pairs two paths by node name, keeping order (longest common subsequence), so
 * a node that only one version of a workflow has shows up as one-sided instead
 * of shifting every later pair.
 */
export function alignPaths(a: readonly PathStep[], b: readonly PathStep[]): AlignedDecision[] {
  const table = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) {
      const row = table[i] as number[];
      row[j] =
        a[i]?.node === b[j]?.node
          ? (table[i + 1]?.[j + 1] ?? 0) + 1
          : Math.max(table[i + 1]?.[j] ?? 0, row[j + 1] ?? 0);
    }
  }
  const aligned: AlignedDecision[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const left = a[i];
    const right = b[j];
    if (left !== undefined && right !== undefined && left.node === right.node) {
      aligned.push({
        node: left.node,
        a: side(left),
        b: side(right),
        same: left.branch === right.branch,
      });
      i += 1;
      j += 1;
    } else if (
      left !== undefined &&
      (right === undefined || (table[i + 1]?.[j] ?? 0) >= (table[i]?.[j + 1] ?? 0))
    ) {
      aligned.push({ node: left.node, a: side(left), b: null, same: false });
      i += 1;
    } else if (right !== undefined) {
      aligned.push({ node: right.node, a: null, b: side(right), same: false });
      j += 1;
    }
  }
  return aligned;
}

const summary = (details: RunDetails): DiffRun => ({
  id: details.run.id,
  workflow: details.run.workflow,
  version: details.run.version,
  status: details.run.status,
  input: details.run.input,
});

/**
 * Aligns two runs' decision paths and finds the first decision where they part:
 * "why did run A pass and run B fail?" (issue 17). Works across workflow versions.
 */
export function diffRuns(a: RunDetails, b: RunDetails): RunDiff {
  const aligned = alignPaths(decisionPath(a.decisions), decisionPath(b.decisions));
  const index = aligned.findIndex((pair) => !pair.same);
  return {
    a: summary(a),
    b: summary(b),
    sameVersion: a.run.workflow === b.run.workflow && a.run.version === b.run.version,
    aligned,
    firstDivergence: index < 0 ? null : index,
  };
}
