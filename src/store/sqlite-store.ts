import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { BaseCheckpointSaver } from "@langchain/langgraph-checkpoint";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import Database from "better-sqlite3";
import type { DecisionRecord } from "../graph/decision.ts";
import { SQLITE_MIGRATIONS } from "./sqlite-schema.ts";
import type {
  ApprovalRecord,
  ApprovalStatus,
  DecisionFilter,
  EffectRecord,
  NewRun,
  RunFilter,
  RunPatch,
  RunRecord,
  RunStatus,
  RunStore,
} from "./types.ts";

type Row = Record<string, unknown>;

const json = (value: unknown): string | null =>
  value === undefined ? null : JSON.stringify(value);
const unjson = (text: unknown): unknown =>
  typeof text === "string" ? (JSON.parse(text) as unknown) : undefined;
const nullableString = (value: unknown): string | null =>
  typeof value === "string" ? value : null;

function toRun(row: Row): RunRecord {
  return {
    id: String(row.id),
    workflow: String(row.workflow),
    version: String(row.version),
    status: row.status as RunStatus,
    input: unjson(row.input),
    output: unjson(row.output),
    error: nullableString(row.error),
    trigger: String(row.trigger),
    dryRun: row.dry_run === 1,
    parentRunId: nullableString(row.parent_run_id),
    owner: nullableString(row.owner),
    leaseUntil: nullableString(row.lease_until),
    createdAt: String(row.created_at),
    updatedAt: String(row.updated_at),
    finishedAt: nullableString(row.finished_at),
  };
}

function toEffect(row: Row): EffectRecord {
  return {
    key: String(row.key),
    runId: String(row.run_id),
    node: String(row.node),
    name: String(row.name),
    effect: row.effect as EffectRecord["effect"],
    status: row.status as EffectRecord["status"],
    args: unjson(row.args),
    result: unjson(row.result),
    error: nullableString(row.error),
    startedAt: String(row.started_at),
    finishedAt: nullableString(row.finished_at),
  };
}

function toApproval(row: Row): ApprovalRecord {
  return {
    id: String(row.id),
    runId: String(row.run_id),
    node: String(row.node),
    status: row.status as ApprovalStatus,
    message: String(row.message),
    details: unjson(row.details),
    requestedAt: String(row.requested_at),
    deadline: nullableString(row.deadline),
    decidedBy: nullableString(row.decided_by),
    decidedAt: nullableString(row.decided_at),
    comment: nullableString(row.comment),
  };
}

const RUN_COLUMNS: Record<keyof RunPatch, string> = {
  status: "status",
  output: "output",
  error: "error",
  owner: "owner",
  leaseUntil: "lease_until",
  finishedAt: "finished_at",
};

/** Applies the versioned migrations a database file has not seen yet. */
export function migrateSqlite(db: Database.Database): number {
  const current = db.pragma("user_version", { simple: true }) as number;
  for (let version = current; version < SQLITE_MIGRATIONS.length; version += 1) {
    db.transaction(() => {
      db.exec(SQLITE_MIGRATIONS[version] as string);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
  return SQLITE_MIGRATIONS.length;
}

/**
 * The embedded default store: one SQLite file holding runs, decisions,
 * effects, approvals and LangGraph checkpoints.
 */
export class SqliteRunStore implements RunStore {
  readonly kind = "sqlite";
  readonly checkpointer: BaseCheckpointSaver;
  readonly path: string;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly writeDecision: (decision: DecisionRecord) => DecisionRecord;

  constructor(path: string) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.path = path;
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("busy_timeout = 5000");
    migrateSqlite(this.db);
    this.checkpointer = new SqliteSaver(this.db);
    this.writeDecision = this.db.transaction((decision: DecisionRecord) => {
      const existing = this.statement(
        "SELECT sequence FROM decisions WHERE run_id = ? AND key = ?",
      ).get(decision.runId, decision.key) as { sequence: number } | undefined;
      const next = this.statement(
        "SELECT COALESCE(MAX(sequence), 0) + 1 AS next FROM decisions WHERE run_id = ?",
      ).get(decision.runId) as { next: number };
      const stored = { ...decision, sequence: existing?.sequence ?? next.next };
      this.statement(
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

  async createRun(run: NewRun): Promise<RunRecord> {
    const now = new Date().toISOString();
    this.statement(
      `INSERT INTO runs (id, workflow, version, status, input, trigger, dry_run, parent_run_id,
           owner, lease_until, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      run.id,
      run.workflow,
      run.version,
      run.status ?? "queued",
      json(run.input) ?? "null",
      run.trigger,
      run.dryRun ? 1 : 0,
      run.parentRunId ?? null,
      run.owner ?? null,
      run.leaseUntil ?? null,
      now,
      now,
    );
    return this.mustGet(run.id);
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const row = this.statement("SELECT * FROM runs WHERE id = ?").get(id) as Row | undefined;
    return row ? toRun(row) : undefined;
  }

  async updateRun(id: string, patch: RunPatch): Promise<RunRecord> {
    this.applyPatch(id, patch, undefined);
    return this.mustGet(id);
  }

  async transitionRun(
    id: string,
    from: readonly RunStatus[],
    patch: RunPatch & { status: RunStatus },
  ): Promise<RunRecord | undefined> {
    const changed = this.applyPatch(id, patch, from);
    return changed ? this.mustGet(id) : undefined;
  }

  async listRuns(filter: RunFilter = {}): Promise<RunRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.status !== undefined) {
      const statuses = typeof filter.status === "string" ? [filter.status] : filter.status;
      where.push(`status IN (${statuses.map(() => "?").join(",")})`);
      params.push(...statuses);
    }
    if (filter.workflow !== undefined) where.push("workflow = ?") && params.push(filter.workflow);
    if (filter.parentRunId !== undefined)
      where.push("parent_run_id = ?") && params.push(filter.parentRunId);
    if (filter.createdAfter !== undefined)
      where.push("created_at > ?") && params.push(filter.createdAfter);
    const clause = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
    const rows = this.statement(
      `SELECT * FROM runs ${clause} ORDER BY created_at DESC, id DESC LIMIT ?`,
    ).all(...params, filter.limit ?? 100) as Row[];
    return rows.map(toRun);
  }

  async claimRun(
    id: string,
    expectedOwner: string | null,
    owner: string,
    leaseUntil: string,
  ): Promise<RunRecord | undefined> {
    const changed = this.statement(
      `UPDATE runs SET owner = ?, lease_until = ?, updated_at = ?
         WHERE id = ? AND status = 'running' AND owner IS ?`,
    ).run(owner, leaseUntil, new Date().toISOString(), id, expectedOwner).changes;
    return changed > 0 ? this.mustGet(id) : undefined;
  }

  async recordDecision(record: DecisionRecord): Promise<DecisionRecord> {
    return this.writeDecision(record);
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
    const rows = this.statement(
      `SELECT d.record FROM decisions d JOIN runs r ON r.id = d.run_id ${clause}
         ORDER BY ${filter.runId === undefined ? "d.at, d.run_id, d.sequence" : "d.sequence"} LIMIT ?`,
    ).all(...params, filter.limit ?? 10_000) as { record: string }[];
    return rows.map((row) => JSON.parse(row.record) as DecisionRecord);
  }

  async getEffect(key: string): Promise<EffectRecord | undefined> {
    const row = this.statement("SELECT * FROM effects WHERE key = ?").get(key) as Row | undefined;
    return row ? toEffect(row) : undefined;
  }

  async putEffect(effect: EffectRecord): Promise<void> {
    this.statement(
      `INSERT INTO effects (key, run_id, node, name, effect, status, args, result, error,
           started_at, finished_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET status = excluded.status, args = excluded.args,
           result = excluded.result, error = excluded.error, finished_at = excluded.finished_at`,
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
    );
  }

  async listEffects(runId: string): Promise<EffectRecord[]> {
    const rows = this.statement(
      "SELECT * FROM effects WHERE run_id = ? ORDER BY started_at, rowid",
    ).all(runId) as Row[];
    return rows.map(toEffect);
  }

  async createApproval(approval: ApprovalRecord): Promise<ApprovalRecord> {
    this.statement(
      `INSERT INTO approvals (id, run_id, node, status, message, details, requested_at, deadline)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO NOTHING`,
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
    const row = this.statement("SELECT * FROM approvals WHERE id = ?").get(approval.id) as Row;
    return toApproval(row);
  }

  async decideApproval(
    id: string,
    decision: Pick<ApprovalRecord, "status" | "decidedBy" | "decidedAt" | "comment">,
  ): Promise<ApprovalRecord | undefined> {
    const result = this.statement(
      `UPDATE approvals SET status = ?, decided_by = ?, decided_at = ?, comment = ?
         WHERE id = ? AND status = 'pending'`,
    ).run(decision.status, decision.decidedBy, decision.decidedAt, decision.comment, id);
    if (result.changes === 0) return undefined;
    return toApproval(this.statement("SELECT * FROM approvals WHERE id = ?").get(id) as Row);
  }

  async listApprovals(filter: {
    runId?: string;
    status?: ApprovalStatus;
  }): Promise<ApprovalRecord[]> {
    const rows = this.statement(
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

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private applyPatch(id: string, patch: RunPatch, from: readonly RunStatus[] | undefined): boolean {
    const sets = ["updated_at = ?"];
    const params: unknown[] = [new Date().toISOString()];
    for (const [field, column] of Object.entries(RUN_COLUMNS) as [keyof RunPatch, string][]) {
      if (!(field in patch)) continue;
      const value = patch[field];
      sets.push(`${column} = ?`);
      params.push(field === "output" ? json(value) : (value ?? null));
    }
    let sql = `UPDATE runs SET ${sets.join(", ")} WHERE id = ?`;
    params.push(id);
    if (from !== undefined) {
      sql += ` AND status IN (${from.map(() => "?").join(",")})`;
      params.push(...from);
    }
    return this.statement(sql).run(...params).changes > 0;
  }

  /** Prepared once per SQL text: preparing costs more than running most of these. */
  private statement(sql: string): Database.Statement {
    let prepared = this.statements.get(sql);
    if (prepared === undefined) {
      prepared = this.db.prepare(sql);
      this.statements.set(sql, prepared);
    }
    return prepared;
  }

  private mustGet(id: string): RunRecord {
    const row = this.statement("SELECT * FROM runs WHERE id = ?").get(id) as Row | undefined;
    if (!row) throw new Error(`run ${id} vanished from the store`);
    return toRun(row);
  }
}
