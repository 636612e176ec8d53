import { setTimeout as sleep } from "node:timers/promises";
import type { RunEvent } from "../graph/events.ts";
import type { RunRecord, RunStore } from "../store/types.ts";

/** Options for {@link followRun}. */
export interface FollowOptions {
  readonly onEvent?: (event: RunEvent) => void;
  readonly signal?: AbortSignal;
  /** Longest wait between looks when no wake-up comes (ms). Default 250. */
  readonly pollMs?: number;
}

const isSettled = (run: RunRecord) => run.status !== "queued" && run.status !== "running";

/**
 * Follows a run wherever it executes: delivers its events from the store's event log,
 * in order, each once, and resolves when the run finishes or pauses for approval.
 * A run that ended without logging `run-end` (cancelled elsewhere) gets one made
 * from the stored run, so followers always see the end.
 */
export async function followRun(
  store: RunStore,
  runId: string,
  options: FollowOptions = {},
): Promise<RunRecord> {
  let wake: () => void = () => {};
  const stop = await store.watchEvents((id) => {
    if (id === runId) wake();
  });
  let lastSeq = 0;
  let sawEnd = false;
  const drain = async () => {
    for (;;) {
      const batch = await store.listEvents(runId, lastSeq);
      for (const stored of batch) {
        lastSeq = stored.seq;
        const event = stored.event as RunEvent;
        if (event.type === "run-end") sawEnd = true;
        options.onEvent?.(event);
      }
      if (batch.length < 1000) return;
    }
  };
  try {
    for (;;) {
      options.signal?.throwIfAborted();
      const woken = new Promise<void>((resolve) => {
        wake = resolve;
      });
      const run = await store.getRun(runId);
      await drain();
      if (run === undefined) throw new Error(`run ${runId} vanished from the store`);
      // Drivers store every event before they settle, so the drain after a settled read is complete.
      if (isSettled(run)) {
        if (!sawEnd && run.status !== "waiting") options.onEvent?.(endEvent(run));
        return run;
      }
      await Promise.race([woken, sleep(options.pollMs ?? 250)]);
    }
  } finally {
    await stop();
  }
}

function endEvent(run: RunRecord): RunEvent {
  return {
    type: "run-end",
    runId: run.id,
    status: run.status,
    output: run.output ?? undefined,
    error: run.error ?? undefined,
    at: run.finishedAt ?? run.updatedAt,
  };
}
