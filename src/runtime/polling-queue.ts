import { EventEmitter } from "node:events";
import type { Logger } from "pino";
import type { RunQueue, RunStore } from "../store/types.ts";

/** Options for {@link createPollingQueue}. */
export interface PollingQueueOptions {
  readonly store: RunStore;
  readonly logger: Logger;
  /** How often to look for claimable runs enqueued by other processes (ms). Default 200. */
  readonly pollMs?: number;
}

/**
 * The queue of the embedded (SQLite) deployment: the runs table is the queue. Runs
 * enqueued in this process are delivered at once; runs enqueued by other processes on
 * the same file (and runs whose lease ran out) are found by polling `claimableRuns`.
 */
export function createPollingQueue(options: PollingQueueOptions): RunQueue {
  const wake = new EventEmitter().setMaxListeners(0);
  const stops = new Set<() => Promise<void>>();
  return {
    async enqueue(runId) {
      wake.emit("run", runId);
    },
    async consume(handler, { concurrency }) {
      const inFlight = new Set<string>();
      let polling: Promise<void> | undefined;
      // Set when a slot frees while a lookup is in flight: that lookup may have read the
      // table before the slot (or a new run) was there, so one more follows it.
      let lookAgain = false;
      const deliver = (runId: string) => {
        if (inFlight.has(runId) || inFlight.size >= concurrency) return;
        inFlight.add(runId);
        handler(runId)
          .catch((error: unknown) => {
            options.logger.warn({ runId, error: String(error) }, "queue handler failed");
            return false;
          })
          .then((claimed) => {
            inFlight.delete(runId);
            // After a claim, look again at once instead of waiting for the next poll:
            // otherwise a worker drives at most `concurrency` runs per poll interval.
            // (Not after a failed claim: a run nobody here can take would spin.)
            if (claimed) void poll(true);
          });
      };
      const lookOnce = async () => {
        try {
          for (const runId of await options.store.claimableRuns(concurrency)) deliver(runId);
        } catch (error) {
          options.logger.warn({ error: String(error) }, "polling for runs failed");
        }
      };
      const lookWhileAsked = async () => {
        do {
          lookAgain = false;
          await lookOnce();
        } while (lookAgain && inFlight.size < concurrency);
      };
      /** Looks for claimable runs; `afterClaim` asks for a fresh look rather than joining one. */
      const poll = (afterClaim = false): Promise<void> => {
        if (inFlight.size >= concurrency) return Promise.resolve();
        if (polling !== undefined) {
          lookAgain ||= afterClaim;
          return polling;
        }
        polling = lookWhileAsked().finally(() => {
          polling = undefined;
        });
        return polling;
      };
      wake.on("run", deliver);
      const timer = setInterval(() => void poll(), options.pollMs ?? 200);
      timer.unref();
      void poll();
      const stop = async () => {
        clearInterval(timer);
        wake.off("run", deliver);
        stops.delete(stop);
      };
      stops.add(stop);
      return stop;
    },
    async close() {
      await Promise.all([...stops].map((stop) => stop()));
    },
  };
}
