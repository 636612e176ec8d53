import type { OutcomeFilter, OutcomeRows, RunStatus, RunStore } from "../store/types.ts";

/** Latency of one node over a day's runs of a workflow. */
export interface NodeLatency {
  readonly node: string;
  readonly count: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
}

/** The outcomes of one workflow's runs created on one UTC day. */
export interface DailyOutcome {
  readonly workflow: string;
  readonly day: string;
  /** Runs created that day. */
  readonly volume: number;
  readonly byStatus: Readonly<Partial<Record<RunStatus, number>>>;
  readonly succeeded: number;
  readonly failed: number;
  readonly waiting: number;
  /** Runs with an escalation decision, whatever their status. */
  readonly escalated: number;
  readonly llmCalls: number;
  /** Route decisions a rule or the classifier made: LLM calls the cascade avoided. */
  readonly llmAvoided: number;
  readonly tokensIn: number;
  readonly tokensOut: number;
  readonly costUsd: number;
  readonly nodes: readonly NodeLatency[];
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil(fraction * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? 0;
}

function nodeLatencies(durations: Map<string, number[]>): NodeLatency[] {
  return [...durations.entries()]
    .map(([node, values]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return {
        node,
        count: sorted.length,
        p50Ms: percentile(sorted, 0.5),
        p95Ms: percentile(sorted, 0.95),
      };
    })
    .sort((a, b) => a.node.localeCompare(b.node));
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Draft = Mutable<Omit<DailyOutcome, "nodes" | "byStatus">> & {
  byStatus: Partial<Record<RunStatus, number>>;
  durations: Map<string, number[]>;
};

/** Folds the store's raw rows into one entry per workflow and day, oldest day first. */
export function summarizeOutcomes(rows: OutcomeRows): DailyOutcome[] {
  const days = new Map<string, Draft>();
  const entry = (workflow: string, day: string): Draft => {
    const key = `${day}\u0000${workflow}`;
    let draft = days.get(key);
    if (draft === undefined) {
      draft = {
        workflow,
        day,
        volume: 0,
        byStatus: {},
        succeeded: 0,
        failed: 0,
        waiting: 0,
        escalated: 0,
        llmCalls: 0,
        llmAvoided: 0,
        tokensIn: 0,
        tokensOut: 0,
        costUsd: 0,
        durations: new Map(),
      };
      days.set(key, draft);
    }
    return draft;
  };
  for (const row of rows.runs) {
    const draft = entry(row.workflow, row.day);
    draft.volume += row.runs;
    draft.escalated += row.escalated;
    draft.byStatus[row.status] = (draft.byStatus[row.status] ?? 0) + row.runs;
    if (row.status === "succeeded" || row.status === "failed" || row.status === "waiting")
      draft[row.status] += row.runs;
  }
  for (const row of rows.decisions) {
    const draft = entry(row.workflow, row.day);
    draft.llmCalls += row.llmCalls;
    draft.llmAvoided += row.llmAvoided;
    draft.tokensIn += row.tokensIn;
    draft.tokensOut += row.tokensOut;
    draft.costUsd += row.costUsd;
  }
  for (const row of rows.nodeDurations) {
    const durations = entry(row.workflow, row.day).durations;
    durations.set(row.node, [...(durations.get(row.node) ?? []), row.durationMs]);
  }
  return [...days.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, { durations, ...rest }]) => ({ ...rest, nodes: nodeLatencies(durations) }));
}

/** Outcomes per workflow and day over the window. */
export async function readOutcomes(
  store: RunStore,
  filter: OutcomeFilter,
): Promise<DailyOutcome[]> {
  return summarizeOutcomes(await store.outcomeStats(filter));
}
