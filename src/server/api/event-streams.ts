import type { ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { RunStore } from "../../store/types.ts";
import { FINAL_STATUSES } from "../../store/types.ts";
import { openEventStream } from "../chat-http.ts";

/** Longest wait between looks at the store when no wake-up came (other processes on SQLite). */
const POLL_MS = 1000;
/** A comment line this often keeps proxies from closing an idle stream. */
const HEARTBEAT_MS = 15_000;

function write(response: ServerResponse, text: string): void {
  if (!response.writableEnded) response.write(text);
}

/** Resolves when the client goes away. */
function closed(response: ServerResponse): { readonly done: () => boolean } {
  let gone = false;
  response.once("close", () => {
    gone = true;
  });
  return { done: () => gone || response.writableEnded };
}

/**
 * Streams a run's stored events as server-sent events (`id:` is the event's seq, so
 * a client resumes with `?after=` or `Last-Event-ID`), from `afterSeq` on, live, until
 * the run has finished and every event is sent; then `event: end` and the stream closes.
 */
export async function streamRunEvents(
  store: RunStore,
  runId: string,
  afterSeq: number,
  response: ServerResponse,
): Promise<void> {
  let wake: () => void = () => {};
  const stop = await store.watchEvents((id) => {
    if (id === runId) wake();
  });
  const client = closed(response);
  openEventStream(response);
  let seq = afterSeq;
  let lastBeat = Date.now();
  try {
    while (!client.done()) {
      const woken = new Promise<void>((resolve) => {
        wake = resolve;
      });
      const run = await store.getRun(runId);
      for (;;) {
        const batch = await store.listEvents(runId, seq, 500);
        for (const stored of batch) {
          seq = stored.seq;
          const type = (stored.event as { type?: unknown }).type;
          write(
            response,
            `id: ${stored.seq}\nevent: ${typeof type === "string" ? type : "event"}\ndata: ${JSON.stringify(stored.event)}\n\n`,
          );
        }
        if (batch.length < 500) break;
      }
      // Events are stored before a run settles: read after a final status, the drain is complete.
      if (run === undefined || FINAL_STATUSES.includes(run.status)) {
        write(response, `event: end\ndata: ${JSON.stringify({ status: run?.status ?? null })}\n\n`);
        break;
      }
      if (Date.now() - lastBeat > HEARTBEAT_MS) {
        write(response, ": heartbeat\n\n");
        lastBeat = Date.now();
      }
      await Promise.race([woken, sleep(POLL_MS)]);
    }
  } finally {
    await stop();
    response.end();
  }
}

/**
 * Streams `event: runs` with the ids of runs that had events appended (batched per
 * `batchMs`), for lists that refresh live. Wake-ups cover runs driven in this process,
 * and in any process on PostgreSQL; `event: tick` every {@link HEARTBEAT_MS} lets
 * clients refresh for the rest.
 */
export async function streamRunChanges(
  store: RunStore,
  response: ServerResponse,
  batchMs = 250,
): Promise<void> {
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    write(response, `event: runs\ndata: ${JSON.stringify([...pending])}\n\n`);
    pending.clear();
  };
  const stop = await store.watchEvents((runId) => {
    pending.add(runId);
    timer ??= setTimeout(flush, batchMs);
  });
  openEventStream(response);
  write(response, "event: ready\ndata: {}\n\n");
  const beat = setInterval(() => write(response, "event: tick\ndata: {}\n\n"), HEARTBEAT_MS);
  await new Promise<void>((resolve) => response.once("close", resolve));
  clearInterval(beat);
  if (timer !== undefined) clearTimeout(timer);
  await stop();
}
