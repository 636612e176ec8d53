import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import pg from "pg";
import pino, { type Logger } from "pino";
import type { DecisionRecord } from "../contracts/decision.ts";
import { ErrorCode, SignalboxError } from "../errors.ts";
import type { CheckpointHistory } from "./checkpoint-prune.ts";
import * as approvals from "./postgres-approvals.ts";
import { fencedPool } from "./postgres-fence.ts";
import * as journal from "./postgres-journal.ts";
import { listenForRunIds } from "./postgres-listener.ts";
import { postgresPruneCtes, prunePostgresRuns } from "./postgres-prune.ts";
import * as runQueries from "./postgres-run-queries.ts";
import * as runs from "./postgres-runs.ts";
import {
  DEFAULT_POSTGRES_SCHEMA,
  migratePostgres,
  parseSchemaName,
  withAdvisoryLock,
} from "./postgres-schema.ts";
import { guardPool, type PostgresContext, qualify } from "./postgres-sql.ts";
import type {
  ApprovalRecord,
  ApprovalStatus,
  Claim,
  DecisionFilter,
  EffectClaimResult,
  EffectRecord,
  Lease,
  NewRun,
  OutcomeFilter,
  OutcomeRows,
  PruneFilter,
  RunCount,
  RunFilter,
  RunPatch,
  RunRecord,
  RunSettlement,
  RunStore,
  StoredEvent,
  TriggerKind,
  TriggerStart,
  TriggerStartRecord,
} from "./types.ts";

/** The runtime's default lease (`RuntimeOptions.leaseMs`). */
const DEFAULT_LEASE_MS = 30_000;

/** Options for {@link PostgresRunStore.open}. */
export interface PostgresRunStoreOptions {
  readonly connectionString: string;
  /** Schema for signalbox's tables and LangGraph's checkpoints (default `signalbox`), created if missing. */
  readonly schema?: string;
  /** Where pool and listener problems are logged (default: nowhere). */
  readonly logger?: Logger;
  /** Extra `pg.Pool` settings (`max`, timeouts, `ssl`, …); the connection string wins. */
  readonly pool?: Omit<pg.PoolConfig, "connectionString">;
  /**
   * The lease the runtimes on this store use (default 30 s, the runtime's default). A
   * transaction left idle that long is ended by the server: a driver stopped inside one
   * (SIGSTOP, a frozen VM) keeps its fence's lock on the run's row and its socket open,
   * so otherwise no claim, requeue or cancel of that run could commit, however long ago
   * its lease ran out.
   */
  readonly leaseMs?: number;
  /** Keep only the newest checkpoint of a run once it pauses or settles (default), or all. */
  readonly checkpointHistory?: CheckpointHistory;
}

/**
 * The shared store: runs, decisions, effects, approvals and run events in PostgreSQL,
 * with the official `PostgresSaver` as checkpointer, all in one schema. Fenced writes
 * check the lease in the same transaction as the write; leases and deadlines use the
 * database clock. Event appends also `NOTIFY` {@link PostgresRunStore.eventsChannel}.
 *
 * @example
 * ```ts
 * const store = await PostgresRunStore.open({ connectionString: "postgresql://localhost/app" });
 * const run = await store.claimRun("r_1", { owner: "42@host/ab12", leaseMs: 30_000 });
 * await store.close();
 * ```
 */
export class PostgresRunStore implements RunStore {
  readonly kind = "postgres";
  readonly checkpointer: PostgresSaver;
  /** The pool every query goes through; a queue may share it (`createPostgresQueue({ pool })`). */
  readonly pool: pg.Pool;
  readonly schema: string;
  /** The LISTEN/NOTIFY channel of event appends: `<schema>_events` (payload: the run id). */
  readonly eventsChannel: string;
  private readonly context: PostgresContext;
  private readonly logger: Logger;
  private readonly connection: pg.ClientConfig;
  /** Everyone watching events; one LISTEN connection serves them all (opened on first watch). */
  private readonly watchers = new Set<(runId: string) => void>();
  private listening: Promise<() => Promise<void>> | undefined;
  private closed = false;
  /** Chained to the settling UPDATE; empty with `checkpointHistory: "full"`. */
  private readonly pruneCtes: string;

  private constructor(
    pool: pg.Pool,
    schema: string,
    logger: Logger,
    connection: pg.ClientConfig,
    history: CheckpointHistory,
  ) {
    this.pool = pool;
    this.schema = schema;
    this.logger = logger;
    this.connection = connection;
    this.eventsChannel = `${schema}_events`;
    this.context = { pool, tables: qualify(schema), eventsChannel: this.eventsChannel };
    this.checkpointer = new PostgresSaver(fencedPool(pool, this.context.tables.runs), undefined, {
      schema,
    });
    this.pruneCtes = history === "latest" ? postgresPruneCtes(schema) : "";
  }

  /**
   * Connects, migrates the schema and sets up the checkpointer tables (both safe when
   * several processes open at once).
   * @throws SignalboxError CONFIG_INVALID for a bad schema name or a pool of one; the driver's error
   * when the database cannot be reached.
   */
  static async open(options: PostgresRunStoreOptions): Promise<PostgresRunStore> {
    const schema = parseSchemaName(options.schema ?? DEFAULT_POSTGRES_SCHEMA);
    if ((options.pool?.max ?? 10) < 2)
      throw new SignalboxError(
        ErrorCode.ConfigInvalid,
        `a PostgreSQL pool of ${options.pool?.max} connection cannot work: set-up holds a lock on one connection while migrating on another; use max >= 2`,
      );
    const logger = options.logger ?? pino({ level: "silent" });
    const connection = {
      idle_in_transaction_session_timeout: options.leaseMs ?? DEFAULT_LEASE_MS,
      ...options.pool,
      connectionString: options.connectionString,
    };
    const pool = guardPool(new pg.Pool(connection), logger);
    const history = options.checkpointHistory ?? "latest";
    const store = new PostgresRunStore(pool, schema, logger, connection, history);
    try {
      await migratePostgres(pool, schema);
      // PostgresSaver.setup() is not safe to run twice at once (it races on its own
      // migrations table), so processes take turns.
      await withAdvisoryLock(pool, `signalbox-checkpointer:${schema}`, () =>
        store.checkpointer.setup(),
      );
    } catch (error) {
      await pool.end();
      throw error;
    }
    return store;
  }

  /**
   * Calls `listener` for every run whose events were appended (in any process) while
   * watching: LISTEN on a connection of its own, reconnecting if it drops. A wake-up
   * only: read `listEvents` from the last seq seen. Resolves once listening; the
   * returned function stops it.
   */
  async watchEvents(listener: (runId: string) => void): Promise<() => Promise<void>> {
    this.watchers.add(listener);
    this.listening ??= listenForRunIds({
      connection: this.connection,
      channel: this.eventsChannel,
      logger: this.logger,
      onRunId: (runId) => {
        for (const watcher of this.watchers) watcher(runId);
      },
    });
    try {
      await this.listening;
    } catch (error) {
      this.watchers.delete(listener);
      this.listening = undefined;
      throw error;
    }
    return async () => {
      this.watchers.delete(listener);
    };
  }

  createRun(run: NewRun): Promise<RunRecord> {
    return runs.createRun(this.context, run);
  }

  createTriggeredRun(
    run: NewRun,
    start: TriggerStart,
  ): Promise<{ readonly run: RunRecord; readonly created: boolean }> {
    return runs.createTriggeredRun(this.context, run, start);
  }

  getTriggerStart(runId: string): Promise<TriggerStartRecord | undefined> {
    return runs.getTriggerStart(this.context, runId);
  }

  lastTriggerStart(kind: TriggerKind, name: string): Promise<TriggerStartRecord | undefined> {
    return runs.lastTriggerStart(this.context, kind, name);
  }

  getRun(id: string): Promise<RunRecord | undefined> {
    return runs.getRun(this.context, id);
  }

  listRuns(filter: RunFilter = {}): Promise<RunRecord[]> {
    return runQueries.listRuns(this.context, filter);
  }

  countRuns(): Promise<RunCount[]> {
    return runQueries.countRuns(this.context);
  }

  outcomeStats(filter: OutcomeFilter, maxDurations = 100_000): Promise<OutcomeRows> {
    return runQueries.outcomeStats(this.context, filter, maxDurations);
  }

  /** @throws SignalboxError RUN_NOT_FOUND */
  updateRun(id: string, patch: RunPatch): Promise<RunRecord> {
    return runs.updateRun(this.context, id, patch);
  }

  claimRun(id: string, claim: Claim): Promise<RunRecord | undefined> {
    return runs.claimRun(this.context, id, claim);
  }

  claimableRuns(limit: number, options: { readonly queuedForMs?: number } = {}): Promise<string[]> {
    return runs.claimableRuns(this.context, limit, options.queuedForMs);
  }

  renewLease(lease: Lease, leaseMs: number): Promise<boolean> {
    return runs.renewLease(this.context, lease, leaseMs);
  }

  /** @throws SignalboxError LEASE_LOST */
  pruneRuns(filter: PruneFilter): Promise<{ runs: number }> {
    return prunePostgresRuns(this.context, this.schema, filter);
  }

  settleRun(lease: Lease, settlement: RunSettlement): Promise<RunRecord> {
    return runs.settleRun(this.context, lease, settlement, this.pruneCtes);
  }

  decideApproval(
    id: string,
    decision: Pick<ApprovalRecord, "status" | "decidedBy" | "decidedAt" | "comment">,
  ): Promise<{ approval: ApprovalRecord; run: RunRecord } | undefined> {
    return approvals.decideApproval(this.context, id, decision);
  }

  cancelRun(id: string, reason: string): Promise<RunRecord | undefined> {
    return runs.cancelRun(this.context, id, reason);
  }

  requeueExpired(): Promise<string[]> {
    return runs.requeueExpired(this.context);
  }

  expireApprovals(): Promise<string[]> {
    return approvals.expireApprovals(this.context);
  }

  /** @throws SignalboxError LEASE_LOST (only when a lease is given) */
  recordDecision(record: DecisionRecord, lease?: Lease): Promise<DecisionRecord> {
    return journal.recordDecision(this.context, record, lease);
  }

  listDecisions(filter: DecisionFilter): Promise<DecisionRecord[]> {
    return journal.listDecisions(this.context, filter);
  }

  getEffect(key: string): Promise<EffectRecord | undefined> {
    return journal.getEffect(this.context, key);
  }

  /** @throws SignalboxError LEASE_LOST */
  claimEffect(effect: EffectRecord, lease: Lease): Promise<EffectClaimResult> {
    return journal.claimEffect(this.context, effect, lease);
  }

  /** @throws SignalboxError LEASE_LOST */
  putEffect(effect: EffectRecord, lease: Lease): Promise<void> {
    return journal.putEffect(this.context, effect, lease);
  }

  listEffects(runId: string): Promise<EffectRecord[]> {
    return journal.listEffects(this.context, runId);
  }

  /** @throws SignalboxError LEASE_LOST */
  createApproval(approval: ApprovalRecord, lease: Lease): Promise<ApprovalRecord> {
    return approvals.createApproval(this.context, approval, lease);
  }

  getApproval(id: string): Promise<ApprovalRecord | undefined> {
    return approvals.getApproval(this.context, id);
  }

  listApprovals(filter: { runId?: string; status?: ApprovalStatus }): Promise<ApprovalRecord[]> {
    return approvals.listApprovals(this.context, filter);
  }

  /** @throws SignalboxError LEASE_LOST */
  appendEvents(lease: Lease, events: readonly unknown[]): Promise<void> {
    return journal.appendEvents(this.context, lease, events);
  }

  listEvents(runId: string, afterSeq: number, limit?: number): Promise<StoredEvent[]> {
    return journal.listEvents(this.context, runId, afterSeq, limit);
  }

  /** Stops every event listener and ends the pool; safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.watchers.clear();
    const stop = await this.listening?.catch(() => undefined);
    await stop?.();
    await this.pool.end();
  }
}
