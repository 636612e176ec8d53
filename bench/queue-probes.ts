/** What the queue benchmark's phases share: the backend under test and probes of its store. */
import type { Runtime } from "../src/runtime/runtime.ts";
import { FINAL_STATUSES, type RunRecord, type RunStore } from "../src/store/types.ts";
import type { QueueBackend } from "./queue-backend.ts";
import { until } from "./queue-fleet.ts";

export const progress = (message: string) => process.stderr.write(`bench: ${message}\n`);

/** One backend under test: its store and a runtime that enqueues (and drives the pickup baseline). */
export interface Bench {
  readonly backend: QueueBackend;
  readonly store: RunStore;
  readonly runtime: Runtime;
}

export const mustGet = async (store: RunStore, runId: string): Promise<RunRecord> => {
  const run = await store.getRun(runId);
  if (run === undefined) throw new Error(`run ${runId} vanished`);
  return run;
};

/** The first node-start of `runId` after event `afterSeq`: its time (ms) and seq. */
export function nodeStart(bench: Bench, runId: string, afterSeq: number, timeoutMs = 30_000) {
  return until(
    `a node-start of ${runId}`,
    async () => {
      for (const stored of await bench.store.listEvents(runId, afterSeq)) {
        const event = stored.event as { type?: string; at?: string };
        if (event.type === "node-start" && event.at !== undefined)
          return { at: Date.parse(event.at), seq: stored.seq };
      }
      return undefined;
    },
    { intervalMs: 2, timeoutMs },
  );
}

export const settled = (bench: Bench, runId: string) =>
  until(
    `${runId} to finish`,
    async () => {
      const run = await mustGet(bench.store, runId);
      return FINAL_STATUSES.includes(run.status) ? run : undefined;
    },
    { intervalMs: 5, timeoutMs: 30_000 },
  );

export const detach = (bench: Bench, workflow: string, input: unknown) =>
  bench.runtime.start(workflow, input, { detach: true, trigger: "bench" });
