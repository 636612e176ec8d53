import type { RunFilter, RunRecord, RunStatus, RunStore } from "../store/types.ts";
import { encodeRunCursor } from "./run-cursor.ts";

/** A run as the runs list shows it: no output, the input cut to a preview. */
export interface RunSummary {
  readonly id: string;
  readonly workflow: string;
  readonly version: string;
  readonly status: RunStatus;
  readonly trigger: string;
  readonly dryRun: boolean;
  readonly parentRunId: string | null;
  readonly error: string | null;
  readonly inputPreview: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly finishedAt: string | null;
}

/** One page of the runs list and the token of the next one (null on the last page). */
export interface RunPage {
  readonly runs: readonly RunSummary[];
  readonly nextCursor: string | null;
}

const PREVIEW_CHARS = 160;

export function summarizeRun(run: RunRecord): RunSummary {
  const input = JSON.stringify(run.input) ?? "";
  return {
    id: run.id,
    workflow: run.workflow,
    version: run.version,
    status: run.status,
    trigger: run.trigger,
    dryRun: run.dryRun,
    parentRunId: run.parentRunId,
    error: run.error,
    inputPreview: input.length > PREVIEW_CHARS ? `${input.slice(0, PREVIEW_CHARS)}…` : input,
    createdAt: run.createdAt,
    updatedAt: run.updatedAt,
    finishedAt: run.finishedAt,
  };
}

/**
 * One page of runs, newest first. Reads one run more than asked to know whether
 * another page follows; the next page starts after the last run shown (keyset).
 */
export async function listRunPage(
  store: RunStore,
  filter: Omit<RunFilter, "limit">,
  limit: number,
): Promise<RunPage> {
  const runs = await store.listRuns({ ...filter, limit: limit + 1 });
  const shown = runs.slice(0, limit);
  const last = shown.at(-1);
  return {
    runs: shown.map(summarizeRun),
    nextCursor:
      runs.length > limit && last !== undefined
        ? encodeRunCursor({ createdAt: last.createdAt, id: last.id })
        : null,
  };
}
