import { Logger as GraphileLogger, makeWorkerUtils, run, type WorkerUtils } from "graphile-worker";
import pg from "pg";
import pino, { type Logger } from "pino";
import { z } from "zod";
import { ErrorCode, SignalboxError } from "../errors.ts";
import { DEFAULT_POSTGRES_SCHEMA, parseSchemaName, withAdvisoryLock } from "./postgres-schema.ts";
import { guardPool } from "./postgres-sql.ts";
import { superviseRunner } from "./supervised-runner.ts";
import type { RunQueue } from "./types.ts";

/** The graphile-worker task that wakes a run. */
export const WAKE_TASK = "signalbox_wake";

/** A wake job's payload: strict, since only we enqueue it. */
const WakePayload = z.strictObject({ runId: z.string().min(1) });

/** Options for {@link createPostgresQueue}: give `pool` or `connectionString`. */
export interface PostgresQueueOptions {
  /** A pool to share (e.g. the store's); it is not ended on close. Needs room for `concurrency + 2` connections. */
  readonly pool?: pg.Pool;
  /** Used to open a pool of the queue's own (ended on close) when no `pool` is given. */
  readonly connectionString?: string;
  /** The store's schema; graphile-worker's tables go in `<schema>_worker`. Default `signalbox`. */
  readonly schema?: string;
  /** graphile-worker's messages go here: its `info` (one line per job) at debug. Default: nowhere. */
  readonly logger?: Logger;
  /** Milliseconds between polls; new jobs arrive by LISTEN/NOTIFY at once, polls catch the rest. Default 1000. */
  readonly pollInterval?: number;
  /** Attempts per wake job before graphile-worker gives up on it (default 3). */
  readonly maxAttempts?: number;
}

/**
 * A {@link RunQueue} on graphile-worker: `enqueue` adds a `signalbox_wake` job keyed by
 * the run id (adds of a pending key collapse into one job), `consume` runs a worker
 * pool. Only a wake-up: the run's fenced lease decides who drives it.
 * @throws SignalboxError CONFIG_INVALID for a bad schema name, or neither pool nor connection string.
 *
 * @example
 * ```ts
 * const queue = createPostgresQueue({ pool: store.pool, schema: store.schema });
 * const stop = await queue.consume(async (runId) => { await claimAndDrive(runId); }, { concurrency: 4 });
 * await queue.enqueue("r_1");
 * await stop();
 * await queue.close();
 * ```
 */
export function createPostgresQueue(options: PostgresQueueOptions): RunQueue {
  const schema = parseSchemaName(options.schema ?? DEFAULT_POSTGRES_SCHEMA);
  if (options.pool === undefined && options.connectionString === undefined)
    throw new SignalboxError(
      ErrorCode.ConfigInvalid,
      "createPostgresQueue needs a pool or a connectionString",
    );
  const ownPool = options.pool === undefined;
  const logger = options.logger ?? pino({ level: "silent" });
  const pool =
    options.pool ?? guardPool(new pg.Pool({ connectionString: options.connectionString }), logger);
  return new PostgresRunQueue({
    pool,
    ownPool,
    workerSchema: `${schema}_worker`,
    logger,
    graphileLogger: toGraphileLogger(logger),
    pollInterval: options.pollInterval ?? 1000,
    maxAttempts: options.maxAttempts ?? 3,
  });
}

interface QueueSettings {
  readonly pool: pg.Pool;
  readonly ownPool: boolean;
  readonly workerSchema: string;
  readonly logger: Logger;
  readonly graphileLogger: GraphileLogger;
  readonly pollInterval: number;
  readonly maxAttempts: number;
}

class PostgresRunQueue implements RunQueue {
  private utils: Promise<WorkerUtils> | undefined;
  /** How to stop each consumer's (supervised) runner. */
  private readonly runners = new Set<() => Promise<void>>();
  private closed = false;

  constructor(private readonly settings: QueueSettings) {}

  async enqueue(runId: string): Promise<void> {
    this.assertOpen();
    const utils = await this.workerUtils();
    await utils.addJob(
      WAKE_TASK,
      { runId },
      { jobKey: runId, maxAttempts: this.settings.maxAttempts },
    );
  }

  async consume(
    handler: (runId: string) => Promise<boolean>,
    options: { readonly concurrency: number },
  ): Promise<() => Promise<void>> {
    this.assertOpen();
    const { pool, workerSchema, graphileLogger, pollInterval, logger } = this.settings;
    const start = () =>
      this.migrating(() =>
        run({
          pgPool: pool,
          schema: workerSchema,
          concurrency: options.concurrency,
          noHandleSignals: true,
          pollInterval,
          logger: graphileLogger,
          parsedCronItems: [],
          // Unbatched, graphile-worker 0.17 completes a job with a promise nobody awaits: a
          // dropped connection at that moment (pg_terminate_backend, a failover) is an
          // unhandled rejection that killed the whole process (found by the chaos suite).
          // Batched, the completion is retried and, failing that, stops this runner, which
          // the supervisor restarts. A wake job left locked costs nothing: sweepers re-wake runs.
          preset: { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
          taskList: {
            [WAKE_TASK]: async (payload) => {
              const parsed = WakePayload.safeParse(payload);
              // A malformed wake is dropped: retrying it cannot help, and sweepers re-wake runs.
              if (!parsed.success) logger.warn({ payload }, "dropped a malformed wake job");
              else await handler(parsed.data.runId);
            },
          },
        }),
      );
    const stop = await superviseRunner(start, logger);
    this.runners.add(stop);
    return async () => {
      if (this.runners.delete(stop)) await stop();
    };
  }

  /** Stops every consumer, releases the worker utils, and ends the pool if the queue opened it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const runners = [...this.runners];
    this.runners.clear();
    await Promise.all(runners.map((stop) => stop()));
    const utils = this.utils;
    this.utils = undefined;
    if (utils !== undefined) await (await utils.catch(() => undefined))?.release();
    if (this.settings.ownPool) await this.settings.pool.end();
  }

  private assertOpen(): void {
    if (this.closed) throw new SignalboxError(ErrorCode.StoreError, "the run queue is closed");
  }

  /** One utils instance per queue, made (and so migrated) on first use. */
  private workerUtils(): Promise<WorkerUtils> {
    if (this.utils === undefined) {
      const { pool, workerSchema, graphileLogger } = this.settings;
      this.utils = this.migrating(() =>
        makeWorkerUtils({ pgPool: pool, schema: workerSchema, logger: graphileLogger }),
      );
      this.utils.catch(() => {
        this.utils = undefined;
      });
    }
    return this.utils;
  }

  /** graphile-worker migrates on start-up; processes starting at once take turns. */
  private migrating<T>(start: () => Promise<T>): Promise<T> {
    const { pool, workerSchema } = this.settings;
    return withAdvisoryLock(pool, `signalbox-queue-migrate:${workerSchema}`, start);
  }
}

/** Routes graphile-worker's log lines to pino, one level down for `info` (it logs every job). */
function toGraphileLogger(logger: Logger): GraphileLogger {
  return new GraphileLogger((scope) => (level, message, meta) => {
    const fields = { ...scope, ...meta, component: "graphile-worker" };
    switch (String(level)) {
      case "error":
        logger.error(fields, message);
        break;
      case "warning":
        logger.warn(fields, message);
        break;
      case "info":
        logger.debug(fields, message);
        break;
      default:
        logger.trace(fields, message);
    }
  });
}
