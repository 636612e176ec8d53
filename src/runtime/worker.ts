import type { Logger } from "pino";
import type { RunQueue, RunRecord, RunStore } from "../store/types.ts";

/** What a worker needs from the runtime it belongs to. */
export interface WorkerHost {
  readonly store: RunStore;
  readonly queue: RunQueue;
  readonly logger: Logger;
  /** Claims and drives `runId` here if it is claimable and its workflow version is registered. */
  tryDrive(runId: string): Promise<{ readonly done: Promise<RunRecord> } | undefined>;
}

/**
 * Puts back in the queue what no one will continue otherwise: runs whose lease ran out
 * (their worker stopped) and waiting runs whose approval deadline passed (now expired).
 * Returns their ids. Every worker's sweeper and `recover` call it.
 */
export async function releaseStranded(store: RunStore): Promise<string[]> {
  return [...(await store.requeueExpired()), ...(await store.expireApprovals())];
}

/** Options for {@link Worker}. */
export interface WorkerOptions {
  /** Runs driven at once. Default 4. */
  readonly concurrency?: number;
  /** How often the sweeper runs (ms). Default: a third of the lease. */
  readonly sweepMs?: number;
}

/**
 * A process's share of the work: takes run ids from the queue, claims and drives up to
 * `concurrency` runs at once, and sweeps periodically: runs whose lease ran out go back
 * to the queue, approvals past their deadline expire (and their runs continue).
 */
export class Worker {
  private readonly waiters: (() => void)[] = [];
  private running = 0;
  private stopConsuming: (() => Promise<void>) | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private sweeping: Promise<string[]> | undefined;
  private readonly concurrency: number;
  /** Time between sweeps: at most a second, so failover takes at most lease + 1 s. */
  private readonly every: number;

  constructor(
    private readonly host: WorkerHost,
    options: WorkerOptions & { readonly leaseMs: number },
  ) {
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.every = options.sweepMs ?? Math.max(100, Math.min(1000, Math.floor(options.leaseMs / 3)));
  }

  /** Runs this worker drives at once, at most. */
  get slots(): number {
    return this.concurrency;
  }

  async start(): Promise<void> {
    this.stopConsuming = await this.host.queue.consume((runId) => this.take(runId), {
      concurrency: this.concurrency,
    });
    // Ref'd on purpose: a started worker keeps its process alive until stopped.
    this.sweeper = setInterval(() => void this.sweep(), this.every);
    void this.sweep();
  }

  /**
   * Re-queues runs whose lease ran out and expires overdue approvals; returns the runs woken.
   * A sweep still in flight is joined, not started again: on PostgreSQL each wake is a
   * transaction, and sweeps slower than their interval used to pile up until they held
   * every pool connection, starving the drivers (and their lease renewals).
   */
  sweep(): Promise<string[]> {
    this.sweeping ??= this.sweepOnce().finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  private async sweepOnce(): Promise<string[]> {
    try {
      const woken = await releaseStranded(this.host.store);
      if (woken.length > 0) this.host.logger.info({ runs: woken }, "sweeper re-queued runs");
      // Queued runs whose wake-up was lost (a worker died holding it) are woken again.
      const claimable = await this.host.store.claimableRuns(100, { queuedForMs: this.every * 2 });
      for (const runId of new Set([...woken, ...claimable])) await this.host.queue.enqueue(runId);
      return woken;
    } catch (error) {
      this.host.logger.warn({ error: String(error) }, "sweep failed");
      return [];
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.sweeper);
    await this.stopConsuming?.();
    this.stopConsuming = undefined;
  }

  /** The queue handler: waits for a free slot, claims; true once driving has begun. */
  private async take(runId: string): Promise<boolean> {
    await this.acquire();
    let driving: Promise<RunRecord> | undefined;
    try {
      driving = (await this.host.tryDrive(runId))?.done;
    } finally {
      if (driving === undefined) this.release();
    }
    driving?.catch(() => undefined).finally(() => this.release());
    return driving !== undefined;
  }

  private acquire(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private release(): void {
    const next = this.waiters.shift();
    if (next !== undefined) next();
    else this.running -= 1;
  }
}
