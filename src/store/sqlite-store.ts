import { EventEmitter } from "node:events";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { BaseCheckpointSaver } from "@langchain/langgraph-checkpoint";
import type { DecisionRecord } from "../contracts/decision.ts";
import { ErrorCode, SignalboxError } from "../errors.ts";
import { type CheckpointHistory, SQLITE_PRUNE_CHECKPOINTS } from "./checkpoint-prune.ts";
import { lazyCheckpointer } from "./lazy-checkpointer.ts";
import { leaseLost } from "./lease-lost.ts";
import { cancelledFailure } from "./run-failure.ts";
import {
  leaseModifier,
  Rollback,
  SQL_NOW,
  SQL_NOW_PLUS,
  SqliteConnection,
} from "./sqlite-connection.ts";
import { pruneSqliteRuns } from "./sqlite-prune.ts";
import { json, type Row, toApproval, toEffect, toRun, toTriggerStart } from "./sqlite-rows.ts";
import { countRunsSqlite, listRunsSqlite, outcomeStatsSqlite } from "./sqlite-run-queries.ts";
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

/** Options for {@link SqliteRunStore}. */
export interface SqliteRunStoreOptions {
  /**
   * `FULL` (default) syncs every commit to disk, so a power cut loses no acknowledged
   * write; `NORMAL` is faster and can lose the last commits on power loss (not on a crash).
   */
  readonly synchronous?: "FULL" | "NORMAL";
  /** Keep only the newest checkpoint of a run once it pauses or settles (default), or all. */
  readonly checkpointHistory?: CheckpointHistory;
}

const FINAL = new Set(["succeeded", "failed", "cancelled", "compensated"]);
const RUN_PATCH_COLUMNS = { status: "status", error: "error", finishedAt: "finished_at" } as const;

/**
 * Opens the file, naming it and saying what to do when that fails (a data directory
 * that is a file or not writable, a file that is not a signalbox database).
 * @throws SignalboxError STORE_ERROR
 */
function openConnection(path: string, synchronous: "FULL" | "NORMAL"): SqliteConnection {
  try {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    return new SqliteConnection(path, synchronous);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SignalboxError(
      ErrorCode.StoreError,
      `cannot open the run store ${path}: ${reason}; check that ${dirname(path)} is a writable directory and the file a signalbox database (or point --home / SIGNALBOX_HOME elsewhere)`,
      { cause: error, data: { path } },
    );
  }
}

/** 1 when the lease (`?` run id, owner, epoch) still holds its run, else 0: the fence of every write. */
const LEASE_HOLDS =
  "EXISTS (SELECT 1 FROM runs WHERE id = ? AND owner = ? AND epoch = ? AND status = 'running')";
/** A decision's sequence (`?` run id, key, run id): its stored one when replayed, else the run's next. */
const DECISION_SEQUENCE = `COALESCE(
  (SELECT sequence FROM decisions WHERE run_id = ? AND key = ?),
  (SELECT COALESCE(MAX(sequence), 0) + 1 FROM decisions WHERE run_id = ?)) AS sequence`;
const ASSERT_LEASE = `SELECT ${LEASE_HOLDS} AS holds`;
const DECISION_UNFENCED = `SELECT 1 AS holds, ${DECISION_SEQUENCE}`;
const DECISION_FENCED = `SELECT ${LEASE_HOLDS} AS holds, ${DECISION_SEQUENCE}`;

/**
 * The embedded default store: one SQLite file holding runs, decisions, effects,
 * approvals, run events and LangGraph checkpoints. Safe for many processes on one
 * machine: writes are `BEGIN IMMEDIATE` transactions retried asynchronously while busy.
 */
export class SqliteRunStore implements RunStore {
  readonly kind = "sqlite";
  /** Loaded on first use (LangGraph's saver is not imported for reading runs). */
  readonly checkpointer: BaseCheckpointSaver;
  readonly path: string;
  /** How this connection commits: FULL syncs every commit, NORMAL only at WAL checkpoints. */
  readonly synchronous: "FULL" | "NORMAL";
  private readonly connection: SqliteConnection;
  private readonly pruneCheckpoints: boolean;
  private pruneTablesReady = false;
  /** In-process wake-ups for event followers; other processes poll. */
  private readonly events = new EventEmitter().setMaxListeners(0);

  constructor(path: string, options: SqliteRunStoreOptions = {}) {
    this.path = path;
    this.synchronous = options.synchronous ?? "FULL";
    this.connection = openConnection(path, this.synchronous);
    this.pruneCheckpoints = (options.checkpointHistory ?? "latest") === "latest";
    const connection = this.connection;
    this.checkpointer = lazyCheckpointer(async () => {
      const { createSqliteCheckpointer } = await import("./sqlite-checkpointer.ts");
      // Creating the saver's tables writes: retried inside while another process holds the lock.
      return createSqliteCheckpointer(connection);
    });
  }

  createRun(run: NewRun): Promise<RunRecord> {
    return this.connection.write(() => this.insertRun(run));
  }

  createTriggeredRun(
    run: NewRun,
    start: TriggerStart,
  ): Promise<{ readonly run: RunRecord; readonly created: boolean }> {
    return this.connection.write(() => {
      const inserted = this.sql(
        `INSERT INTO trigger_starts (kind, name, key, run_id, details, at)
           VALUES (?, ?, ?, ?, ?, ${SQL_NOW}) ON CONFLICT DO NOTHING`,
      ).run(start.kind, start.name, start.key, run.id, json(start.details));
      if (inserted.changes > 0) return { run: this.insertRun(run), created: true };
      const first = this.sql(
        "SELECT run_id FROM trigger_starts WHERE kind = ? AND name = ? AND key = ?",
      ).get(start.kind, start.name, start.key) as Row;
      return { run: this.mustGet(String(first.run_id)), created: false };
    });
  }

  async getTriggerStart(runId: string): Promise<TriggerStartRecord | undefined> {
    const row = this.sql("SELECT * FROM trigger_starts WHERE run_id = ?").get(runId) as
      | Row
      | undefined;
    return row ? toTriggerStart(row) : undefined;
  }

  async lastTriggerStart(kind: TriggerKind, name: string): Promise<TriggerStartRecord | undefined> {
    const row = this.sql(
      "SELECT * FROM trigger_starts WHERE kind = ? AND name = ? ORDER BY key DESC LIMIT 1",
    ).get(kind, name) as Row | undefined;
    return row ? toTriggerStart(row) : undefined;
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const row = this.sql("SELECT * FROM runs WHERE id = ?").get(id) as Row | undefined;
    return row ? toRun(row) : undefined;
  }

  async listRuns(filter: RunFilter = {}): Promise<RunRecord[]> {
    return listRunsSqlite((text) => this.sql(text), filter);
  }

  async countRuns(): Promise<RunCount[]> {
    return countRunsSqlite((text) => this.sql(text));
  }

  async outcomeStats(filter: OutcomeFilter, maxDurations = 100_000): Promise<OutcomeRows> {
    return outcomeStatsSqlite((text) => this.sql(text), filter, maxDurations);
  }

  pruneRuns(filter: PruneFilter): Promise<{ runs: number }> {
    return pruneSqliteRuns(this.connection, filter);
  }

  updateRun(id: string, patch: RunPatch): Promise<RunRecord> {
    return this.connection.write(() => {
      const sets = [`updated_at = ${SQL_NOW}`];
      const params: unknown[] = [];
      for (const [field, column] of Object.entries(RUN_PATCH_COLUMNS)) {
        if (!(field in patch)) continue;
        sets.push(`${column} = ?`);
        params.push(patch[field as keyof typeof RUN_PATCH_COLUMNS] ?? null);
      }
      if ("output" in patch) sets.push("output = ?") && params.push(json(patch.output));
      this.sql(`UPDATE runs SET ${sets.join(", ")} WHERE id = ?`).run(...params, id);
      return this.mustGet(id);
    });
  }

  claimRun(id: string, claim: Claim): Promise<RunRecord | undefined> {
    return this.connection.write(() => {
      const changed = this.sql(
        `UPDATE runs SET status = 'running', owner = ?, epoch = epoch + 1,
             lease_until = ${SQL_NOW_PLUS}, updated_at = ${SQL_NOW}
           WHERE id = ? AND (status = 'queued'
             OR (status = 'running' AND lease_until < ${SQL_NOW}))`,
      ).run(claim.owner, leaseModifier(claim.leaseMs), id).changes;
      return changed > 0 ? this.mustGet(id) : undefined;
    });
  }

  async claimableRuns(
    limit: number,
    options: { readonly queuedForMs?: number } = {},
  ): Promise<string[]> {
    const rows = this.sql(
      `SELECT id FROM runs WHERE (status = 'queued' AND updated_at <= ${SQL_NOW_PLUS})
         OR (status = 'running' AND lease_until < ${SQL_NOW})
         ORDER BY created_at LIMIT ?`,
    ).all(leaseModifier(-(options.queuedForMs ?? 0)), limit) as { id: string }[];
    return rows.map((row) => row.id);
  }

  renewLease(lease: Lease, leaseMs: number): Promise<boolean> {
    return this.connection.write(
      () =>
        this.sql(
          `UPDATE runs SET lease_until = ${SQL_NOW_PLUS}, updated_at = ${SQL_NOW}
             WHERE id = ? AND owner = ? AND epoch = ? AND status = 'running'`,
        ).run(leaseModifier(leaseMs), lease.runId, lease.owner, lease.epoch).changes > 0,
    );
  }

  settleRun(lease: Lease, settlement: RunSettlement): Promise<RunRecord> {
    return this.connection.write(() => {
      this.assertLease(lease);
      const sets = ["status = ?", "owner = NULL", "lease_until = NULL", `updated_at = ${SQL_NOW}`];
      const params: unknown[] = [settlement.status];
      if (settlement.output !== undefined)
        sets.push("output = ?") && params.push(json(settlement.output));
      if (settlement.error !== undefined) sets.push("error = ?") && params.push(settlement.error);
      if (settlement.failure !== undefined)
        sets.push("error_detail = ?") && params.push(json(settlement.failure));
      sets.push(FINAL.has(settlement.status) ? `finished_at = ${SQL_NOW}` : "finished_at = NULL");
      // Pruned while the run is still held: re-inserted rows pass the fence triggers.
      if (this.pruneReady())
        for (const statement of SQLITE_PRUNE_CHECKPOINTS.statements)
          this.sql(statement).run({ run: lease.runId });
      this.sql(`UPDATE runs SET ${sets.join(", ")} WHERE id = ?`).run(...params, lease.runId);
      // A run that ends also closes approvals still pending (it failed right after asking):
      // nobody can decide them any more, so they say so instead of waiting forever.
      if (FINAL.has(settlement.status))
        this.sql(
          `UPDATE approvals SET status = 'expired', decided_by = 'run-end', decided_at = ${SQL_NOW},
               comment = ? WHERE run_id = ? AND status = 'pending'`,
        ).run(`the run ended ${settlement.status} before a decision`, lease.runId);
      return this.mustGet(lease.runId);
    });
  }

  async decideApproval(
    id: string,
    decision: Pick<ApprovalRecord, "status" | "decidedBy" | "decidedAt" | "comment">,
  ): Promise<{ approval: ApprovalRecord; run: RunRecord } | undefined> {
    try {
      return await this.connection.write(() => {
        const decided = this.sql(
          `UPDATE approvals SET status = ?, decided_by = ?, decided_at = ?, comment = ?
             WHERE id = ? AND status = 'pending'`,
        ).run(decision.status, decision.decidedBy, decision.decidedAt, decision.comment, id);
        if (decided.changes === 0) throw new Rollback();
        const approval = toApproval(
          this.sql("SELECT * FROM approvals WHERE id = ?").get(id) as Row,
        );
        const resumed = this.sql(
          `UPDATE runs SET status = 'queued', updated_at = ${SQL_NOW}
             WHERE id = ? AND status = 'waiting'`,
        ).run(approval.runId);
        if (resumed.changes === 0) throw new Rollback();
        return { approval, run: this.mustGet(approval.runId) };
      });
    } catch (error) {
      if (error instanceof Rollback) return undefined;
      throw error;
    }
  }

  cancelRun(id: string, reason: string): Promise<RunRecord | undefined> {
    return this.connection.write(() => {
      const cancelled = this.sql(
        `UPDATE runs SET status = 'cancelled', error = ?, error_detail = ?, owner = NULL,
             lease_until = NULL, epoch = epoch + 1, finished_at = ${SQL_NOW}, updated_at = ${SQL_NOW}
           WHERE id = ? AND status IN ('queued', 'running', 'waiting')`,
      ).run(reason, json(cancelledFailure(reason)), id);
      if (cancelled.changes === 0) return undefined;
      this.sql(
        `UPDATE approvals SET status = 'expired', decided_by = 'cancel', decided_at = ${SQL_NOW},
             comment = ? WHERE run_id = ? AND status = 'pending'`,
      ).run(reason, id);
      return this.mustGet(id);
    });
  }

  requeueExpired(): Promise<string[]> {
    return this.connection.write(() => {
      const rows = this.sql(
        `UPDATE runs SET status = 'queued', owner = NULL, lease_until = NULL, updated_at = ${SQL_NOW}
           WHERE status = 'running' AND lease_until < ${SQL_NOW}
           RETURNING id`,
      ).all() as { id: string }[];
      return rows.map((row) => row.id);
    });
  }

  expireApprovals(): Promise<string[]> {
    return this.connection.write(() => {
      const due = this.sql(
        `SELECT a.id, a.run_id, a.deadline FROM approvals a JOIN runs r ON r.id = a.run_id
           WHERE a.status = 'pending' AND a.deadline IS NOT NULL AND a.deadline < ${SQL_NOW}
             AND r.status = 'waiting'`,
      ).all() as { id: string; run_id: string; deadline: string }[];
      for (const approval of due) {
        this.sql(
          `UPDATE approvals SET status = 'expired', decided_by = 'deadline', decided_at = ${SQL_NOW},
               comment = ? WHERE id = ?`,
        ).run(`the deadline ${approval.deadline} passed without a decision`, approval.id);
        this.sql(`UPDATE runs SET status = 'queued', updated_at = ${SQL_NOW} WHERE id = ?`).run(
          approval.run_id,
        );
      }
      return [...new Set(due.map((approval) => approval.run_id))];
    });
  }

  recordDecision(record: DecisionRecord, lease?: Lease): Promise<DecisionRecord> {
    return this.connection.write(() => {
      // One statement: the fence check and the sequence (a replayed key keeps its own).
      const found = (
        lease === undefined
          ? this.sql(DECISION_UNFENCED).get(record.runId, record.key, record.runId)
          : this.sql(DECISION_FENCED).get(
              lease.runId,
              lease.owner,
              lease.epoch,
              record.runId,
              record.key,
              record.runId,
            )
      ) as { holds: number; sequence: number };
      if (found.holds !== 1 && lease !== undefined) throw leaseLost(lease);
      const stored = { ...record, sequence: found.sequence };
      this.sql(
        `INSERT INTO decisions (run_id, key, sequence, node, kind, decided_by, at, record)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (run_id, key) DO UPDATE SET node = excluded.node, kind = excluded.kind,
             decided_by = excluded.decided_by, at = excluded.at, record = excluded.record`,
      ).run(
        stored.runId,
        stored.key,
        stored.sequence,
        stored.node,
        stored.kind,
        stored.decidedBy,
        stored.at,
        JSON.stringify(stored),
      );
      return stored;
    });
  }

  async listDecisions(filter: DecisionFilter): Promise<DecisionRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      where.push(sql);
      params.push(value);
    };
    if (filter.runId !== undefined) add("d.run_id = ?", filter.runId);
    if (filter.workflow !== undefined) add("r.workflow = ?", filter.workflow);
    if (filter.kind !== undefined) add("d.kind = ?", filter.kind);
    if (filter.decidedBy !== undefined) add("d.decided_by = ?", filter.decidedBy);
    if (filter.node !== undefined) add("d.node = ?", filter.node);
    if (filter.since !== undefined) add("d.at >= ?", filter.since);
    const clause = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
    const rows = this.sql(
      `SELECT d.record FROM decisions d JOIN runs r ON r.id = d.run_id ${clause}
         ORDER BY ${filter.runId === undefined ? "d.at, d.run_id, d.sequence" : "d.sequence"} LIMIT ?`,
    ).all(...params, filter.limit ?? 10_000) as { record: string }[];
    return rows.map((row) => JSON.parse(row.record) as DecisionRecord);
  }

  async getEffect(key: string): Promise<EffectRecord | undefined> {
    const row = this.sql("SELECT * FROM effects WHERE key = ?").get(key) as Row | undefined;
    return row ? toEffect(row) : undefined;
  }

  claimEffect(effect: EffectRecord, lease: Lease): Promise<EffectClaimResult> {
    return this.connection.write((): EffectClaimResult => {
      this.assertLease(lease);
      const row = this.sql("SELECT * FROM effects WHERE key = ?").get(effect.key) as
        | Row
        | undefined;
      const existing = row ? toEffect(row) : undefined;
      if (existing?.status === "completed" || existing?.status === "compensated")
        return { claimed: false, existing };
      if (existing?.status === "started" && Number(row?.epoch) >= lease.epoch)
        return { claimed: false, existing };
      this.upsertEffect({ ...effect, status: "started" }, lease.epoch);
      return { claimed: true, previous: existing };
    });
  }

  putEffect(effect: EffectRecord, lease: Lease): Promise<void> {
    return this.connection.write(() => {
      this.assertLease(lease);
      this.upsertEffect(effect, lease.epoch);
    });
  }

  async listEffects(runId: string): Promise<EffectRecord[]> {
    const rows = this.sql("SELECT * FROM effects WHERE run_id = ? ORDER BY started_at, rowid").all(
      runId,
    ) as Row[];
    return rows.map(toEffect);
  }

  createApproval(approval: ApprovalRecord, lease: Lease): Promise<ApprovalRecord> {
    return this.connection.write(() => {
      this.assertLease(lease);
      this.sql(
        `INSERT INTO approvals (id, run_id, node, status, message, details, requested_at, deadline)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
      ).run(
        approval.id,
        approval.runId,
        approval.node,
        approval.status,
        approval.message,
        json(approval.details),
        approval.requestedAt,
        approval.deadline,
      );
      return toApproval(this.sql("SELECT * FROM approvals WHERE id = ?").get(approval.id) as Row);
    });
  }

  async getApproval(id: string): Promise<ApprovalRecord | undefined> {
    const row = this.sql("SELECT * FROM approvals WHERE id = ?").get(id) as Row | undefined;
    return row ? toApproval(row) : undefined;
  }

  async listApprovals(filter: {
    runId?: string;
    status?: ApprovalStatus;
  }): Promise<ApprovalRecord[]> {
    const rows = this.sql(
      `SELECT * FROM approvals WHERE (? IS NULL OR run_id = ?) AND (? IS NULL OR status = ?)
         ORDER BY requested_at, rowid`,
    ).all(
      filter.runId ?? null,
      filter.runId ?? null,
      filter.status ?? null,
      filter.status ?? null,
    ) as Row[];
    return rows.map(toApproval);
  }

  async appendEvents(lease: Lease, events: readonly unknown[]): Promise<void> {
    if (events.length === 0) return;
    await this.connection.write(() => {
      this.assertLease(lease);
      const { last } = this.sql(
        "SELECT COALESCE(MAX(seq), 0) AS last FROM run_events WHERE run_id = ?",
      ).get(lease.runId) as { last: number };
      const insert = this.sql(
        `INSERT INTO run_events (run_id, seq, event, at) VALUES (?, ?, ?, ${SQL_NOW})`,
      );
      events.forEach((event, index) => {
        insert.run(lease.runId, last + index + 1, JSON.stringify(event));
      });
    });
    this.events.emit("events", lease.runId);
  }

  async listEvents(runId: string, afterSeq: number, limit = 1000): Promise<StoredEvent[]> {
    const rows = this.sql(
      "SELECT seq, event FROM run_events WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?",
    ).all(runId, afterSeq, limit) as { seq: number; event: string }[];
    return rows.map((row) => ({ runId, seq: row.seq, event: JSON.parse(row.event) as unknown }));
  }

  async watchEvents(listener: (runId: string) => void): Promise<() => Promise<void>> {
    this.events.on("events", listener);
    return async () => {
      this.events.off("events", listener);
    };
  }

  async close(): Promise<void> {
    this.connection.close();
  }

  private upsertEffect(effect: EffectRecord, epoch: number): void {
    this.sql(
      `INSERT INTO effects (key, run_id, node, name, effect, status, args, result, error,
           started_at, finished_at, epoch)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET status = excluded.status, args = excluded.args,
           result = excluded.result, error = excluded.error, finished_at = excluded.finished_at,
           epoch = excluded.epoch`,
    ).run(
      effect.key,
      effect.runId,
      effect.node,
      effect.name,
      effect.effect,
      effect.status,
      json(effect.args),
      json(effect.result),
      effect.error,
      effect.startedAt,
      effect.finishedAt,
      epoch,
    );
  }

  /** Inside a write transaction: throws LEASE_LOST unless `lease` still holds the run. */
  private assertLease(lease: Lease): void {
    const { holds } = this.sql(ASSERT_LEASE).get(lease.runId, lease.owner, lease.epoch) as {
      holds: number;
    };
    if (holds !== 1) throw leaseLost(lease);
  }

  /**
   * Whether settling prunes checkpoints: with history `latest`, once LangGraph's tables
   * exist (the saver is loaded lazily, and a database no run was driven in has none).
   * Creates this connection's temporary tables the first time.
   */
  private pruneReady(): boolean {
    if (!this.pruneCheckpoints) return false;
    if (this.pruneTablesReady) return true;
    const saverTables = this.sql(
      "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('checkpoints', 'writes')",
    ).get() as { n: number };
    if (saverTables.n < 2) return false;
    for (const statement of SQLITE_PRUNE_CHECKPOINTS.setup) this.connection.db.exec(statement);
    this.pruneTablesReady = true;
    return true;
  }

  private sql(text: string) {
    return this.connection.statement(text);
  }

  /**
   * Inside a write transaction: inserts the run (claimed, when told) and reads it back.
   * @throws SignalboxError STORE_ERROR when a run with this id exists (as the PostgreSQL store)
   */
  private insertRun(run: NewRun): RunRecord {
    try {
      this.insertRunRow(run);
    } catch (error) {
      if ((error as { code?: unknown }).code !== "SQLITE_CONSTRAINT_PRIMARYKEY") throw error;
      throw new SignalboxError(ErrorCode.StoreError, `a run with id ${run.id} already exists`, {
        data: { runId: run.id },
        cause: error,
      });
    }
    return this.mustGet(run.id);
  }

  private insertRunRow(run: NewRun): void {
    this.sql(
      `INSERT INTO runs (id, workflow, version, status, input, trigger, dry_run, parent_run_id,
           owner, epoch, lease_until, created_at, updated_at, requested_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
           CASE WHEN ? IS NULL THEN NULL ELSE ${SQL_NOW_PLUS} END, ${SQL_NOW}, ${SQL_NOW}, ?)`,
    ).run(
      run.id,
      run.workflow,
      run.version,
      run.claim ? "running" : (run.status ?? "queued"),
      json(run.input) ?? "null",
      run.trigger,
      run.dryRun ? 1 : 0,
      run.parentRunId ?? null,
      run.claim?.owner ?? null,
      run.claim ? 1 : 0,
      run.claim?.owner ?? null,
      leaseModifier(run.claim?.leaseMs ?? 0),
      run.requestedBy ?? null,
    );
  }

  private mustGet(id: string): RunRecord {
    const row = this.sql("SELECT * FROM runs WHERE id = ?").get(id) as Row | undefined;
    if (!row) throw new Error(`run ${id} vanished from the store`);
    return toRun(row);
  }
}
