import type { Logger } from "pino";
import { isSignalboxError } from "../errors.ts";
import type { RunEvent } from "../graph/events.ts";
import type { Lease, RunStore } from "../store/types.ts";

/** How long events gather before they are appended in one transaction (ms). */
const FLUSH_DELAY_MS = 20;

/**
 * Appends one driver's run events to the store, where followers in any process read
 * them. Events emitted within {@link FLUSH_DELAY_MS} go in one fenced transaction (a
 * commit costs an fsync with synchronous=FULL; followers wait at most that much longer);
 * appends run one after another, so the log keeps the order they were emitted in.
 */
export class EventLog {
  private buffer: RunEvent[] = [];
  private chain: Promise<void> = Promise.resolve();
  private scheduled = false;

  constructor(
    private readonly store: RunStore,
    private readonly lease: Lease,
    private readonly logger: Logger,
    private readonly onLeaseLost: (error: unknown) => void,
  ) {}

  push(event: RunEvent): void {
    this.buffer.push(event);
    if (this.scheduled) return;
    this.scheduled = true;
    setTimeout(() => {
      this.scheduled = false;
      void this.flush();
    }, FLUSH_DELAY_MS).unref();
  }

  /** Writes everything pushed so far; resolves when it is stored (or could not be). */
  flush(): Promise<void> {
    const batch = this.buffer;
    this.buffer = [];
    if (batch.length === 0) return this.chain;
    this.chain = this.chain.then(async () => {
      try {
        await this.store.appendEvents(this.lease, batch);
      } catch (error) {
        if (isSignalboxError(error, "LEASE_LOST")) this.onLeaseLost(error);
        else this.logger.warn({ error: String(error) }, "could not store run events");
      }
    });
    return this.chain;
  }
}
