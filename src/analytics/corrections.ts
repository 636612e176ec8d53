import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { DecisionRecord } from "../contracts/decision.ts";
import { ErrorCode, SignalboxError } from "../errors.ts";
import type { RunStore } from "../store/types.ts";
import { parseWith } from "../validation.ts";
import { isCorrection } from "./decision-path.ts";

/** A reviewer's verdict on one route decision (CLI, MCP, dashboard). */
export const CorrectionRequest = z.object({
  runId: z.string().min(1, "expected a run id"),
  node: z.string().min(1, "expected the route node's name"),
  branch: z.string().min(1, "expected the branch the decision should have taken"),
  note: z.string().max(2000, "a note has at most 2000 characters").optional(),
  /** Who corrects; kept in the reason. */
  by: z.string().min(1).max(200).default("reviewer"),
});
export type CorrectionRequest = z.input<typeof CorrectionRequest>;

/** The route decision at `node` that a correction applies to: its latest (a node may decide twice). */
async function correctedDecision(
  store: RunStore,
  runId: string,
  node: string,
): Promise<DecisionRecord> {
  const run = await store.getRun(runId);
  if (run === undefined)
    throw new SignalboxError(ErrorCode.RunNotFound, `no run with id ${runId}`, { data: { runId } });
  const decisions = await store.listDecisions({ runId });
  const routes = decisions.filter(
    (decision) =>
      decision.node === node &&
      (decision.kind === "route" || decision.kind === "escalation") &&
      !isCorrection(decision),
  );
  const original = routes.at(-1);
  if (original === undefined) {
    const nodes = [
      ...new Set(
        decisions
          .filter((decision) => decision.kind === "route" || decision.kind === "escalation")
          .map((decision) => decision.node),
      ),
    ];
    throw new SignalboxError(
      ErrorCode.InputInvalid,
      `node: run ${runId} has no route decision at "${node}"; its route decisions are at: ${nodes.join(", ") || "(none)"}`,
      { data: { runId, node, available: nodes } },
    );
  }
  return original;
}

/**
 * Records a reviewer's correction as a `human` decision linked to the one it
 * overrides (`corrects`). The run itself is not changed: the correction says
 * where it should have gone, is counted in the correction rate and becomes a
 * labelled example (`exportLabels`).
 * @throws SignalboxError INPUT_INVALID for a bad field, a node without a route decision or an undeclared branch; RUN_NOT_FOUND
 */
export async function recordCorrection(
  store: RunStore,
  request: CorrectionRequest,
): Promise<DecisionRecord> {
  const parsed = parseWith(CorrectionRequest, request, ErrorCode.InputInvalid, "correction");
  const original = await correctedDecision(store, parsed.runId, parsed.node);
  const branches = original.seen?.branches ?? original.options.map((option) => option.name);
  if (!branches.includes(parsed.branch)) {
    throw new SignalboxError(
      ErrorCode.InputInvalid,
      `branch: "${parsed.branch}" is not a branch of ${parsed.node}; expected one of ${branches.join(", ")}`,
      { data: { branch: parsed.branch, available: branches } },
    );
  }
  const agreed = parsed.branch === original.choice ? " (confirms the original choice)" : "";
  return store.recordDecision({
    key: `${original.node}@human#${randomUUID()}`,
    runId: parsed.runId,
    sequence: 0,
    node: original.node,
    kind: "route",
    options: branches.map((name) => ({ name })),
    choice: parsed.branch,
    reason: `corrected by ${parsed.by} from ${original.choice}${agreed}${parsed.note ? `: ${parsed.note}` : ""}`,
    confidence: 1,
    decidedBy: "human",
    modelId: null,
    tokensIn: null,
    tokensOut: null,
    latencyMs: null,
    at: new Date().toISOString(),
    step: original.step,
    seen: original.seen,
    corrects: original.key,
  });
}

/** One labelled example: the text a route saw and the branch a person said was right. */
export interface LabelledExample {
  readonly label: string;
  readonly text: string;
  readonly runId: string;
  readonly node: string;
  /** The branch the route took (null when the original is older than `since`). */
  readonly was: string | null;
}

/** Which corrections to export. */
export interface LabelFilter {
  readonly node: string;
  readonly workflow?: string;
  readonly since?: string;
}

/**
 * The corrections of one route as training examples (the latest correction of
 * each decision wins). Texts that were cut when kept are left out: a cut text
 * is not what the person judged.
 */
export async function exportLabels(
  store: RunStore,
  filter: LabelFilter,
): Promise<LabelledExample[]> {
  const decisions = await store.listDecisions({
    node: filter.node,
    workflow: filter.workflow,
    since: filter.since,
  });
  const id = (runId: string, key: string) => `${runId}\u0000${key}`;
  const originals = new Map(
    decisions.map((decision) => [id(decision.runId, decision.key), decision]),
  );
  const latest = new Map<string, DecisionRecord>();
  for (const decision of decisions)
    if (isCorrection(decision)) latest.set(id(decision.runId, decision.corrects ?? ""), decision);
  return [...latest].flatMap(([original, decision]) => {
    const seen = decision.seen;
    if (seen === undefined || seen.truncated || seen.text.trim() === "") return [];
    const was = originals.get(original)?.choice ?? null;
    return [
      { label: decision.choice, text: seen.text, runId: decision.runId, node: decision.node, was },
    ];
  });
}

/** Correction rate of a set of decisions: corrected route decisions over route decisions. */
export function correctionRate(decisions: readonly DecisionRecord[]): {
  readonly decisions: number;
  readonly corrected: number;
  readonly rate: number;
} {
  const corrected = new Set(
    decisions.filter(isCorrection).map((decision) => `${decision.runId}\u0000${decision.corrects}`),
  );
  const routes = decisions.filter(
    (decision) =>
      (decision.kind === "route" || decision.kind === "escalation") && !isCorrection(decision),
  );
  const hit = routes.filter((decision) =>
    corrected.has(`${decision.runId}\u0000${decision.key}`),
  ).length;
  return {
    decisions: routes.length,
    corrected: hit,
    rate: routes.length === 0 ? 0 : hit / routes.length,
  };
}
