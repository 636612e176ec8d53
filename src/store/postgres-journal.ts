import type pg from "pg";
import { z } from "zod";
import type { DecisionRecord } from "../contracts/decision.ts";
import { EFFECT_COLUMNS, toDecision, toEffect, toEvent } from "./postgres-rows.ts";
import {
  assertSameRun,
  inTransaction,
  jsonParam,
  lockLease,
  lockNumbering,
  type PostgresContext,
  query,
} from "./postgres-sql.ts";
import type {
  DecisionFilter,
  EffectClaimResult,
  EffectRecord,
  Lease,
  StoredEvent,
} from "./types.ts";

// The append-only side of the PostgreSQL store: decisions, the effect journal and
// run events. Fenced writes lock the run row FOR SHARE (one driver's writes run side
// by side; a claim or cancel waits for them) and number under a per-run advisory lock.

const Sequence = z.object({ sequence: z.number().int() });
const HeldEpoch = z.object({ epoch: z.number().int().nullable() });

/** A replayed key keeps its sequence; a new key gets the run's last sequence + 1. */
export async function recordDecision(
  context: PostgresContext,
  record: DecisionRecord,
  lease: Lease | undefined,
): Promise<DecisionRecord> {
  const table = context.tables.decisions;
  return inTransaction(context.pool, async (client) => {
    if (lease !== undefined) {
      assertSameRun(lease, record.runId);
      await lockLease(client, context.tables, lease);
    }
    await lockNumbering(client, table, record.runId);
    const found = await query(
      client,
      `SELECT COALESCE(
         (SELECT sequence FROM ${table} WHERE run_id = $1 AND key = $2),
         (SELECT COALESCE(MAX(sequence), 0) + 1 FROM ${table} WHERE run_id = $1)) AS sequence`,
      [record.runId, record.key],
    );
    const stored: DecisionRecord = { ...record, sequence: Sequence.parse(found[0]).sequence };
    await client.query(
      `INSERT INTO ${table} (run_id, key, sequence, node, kind, decided_by, at, record)
         VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz, $8::jsonb)
         ON CONFLICT (run_id, key) DO UPDATE SET node = excluded.node, kind = excluded.kind,
           decided_by = excluded.decided_by, at = excluded.at, record = excluded.record`,
      [
        stored.runId,
        stored.key,
        stored.sequence,
        stored.node,
        stored.kind,
        stored.decidedBy,
        stored.at,
        JSON.stringify(stored),
      ],
    );
    return stored;
  });
}

/** One run's decisions by sequence; across runs by time, run, sequence (as SQLite). */
export async function listDecisions(
  context: PostgresContext,
  filter: DecisionFilter,
): Promise<DecisionRecord[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: (placeholder: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (filter.runId !== undefined) add((p) => `d.run_id = ${p}`, filter.runId);
  if (filter.workflow !== undefined) add((p) => `r.workflow = ${p}`, filter.workflow);
  if (filter.kind !== undefined) add((p) => `d.kind = ${p}`, filter.kind);
  if (filter.decidedBy !== undefined) add((p) => `d.decided_by = ${p}`, filter.decidedBy);
  if (filter.node !== undefined) add((p) => `d.node = ${p}`, filter.node);
  if (filter.since !== undefined) add((p) => `d.at >= ${p}::timestamptz`, filter.since);
  params.push(filter.limit ?? 10_000);
  const clause = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
  const order = filter.runId === undefined ? "d.at, d.run_id, d.sequence" : "d.sequence";
  const rows = await query(
    context.pool,
    `SELECT d.sequence, d.record FROM ${context.tables.decisions} d
       JOIN ${context.tables.runs} r ON r.id = d.run_id ${clause}
       ORDER BY ${order} LIMIT $${params.length}`,
    params,
  );
  return rows.map(toDecision);
}

export async function getEffect(
  context: PostgresContext,
  key: string,
): Promise<EffectRecord | undefined> {
  const rows = await query(
    context.pool,
    `SELECT ${EFFECT_COLUMNS} FROM ${context.tables.effects} WHERE key = $1`,
    [key],
  );
  return rows[0] === undefined ? undefined : toEffect(rows[0]);
}

/** In start order. */
export async function listEffects(
  context: PostgresContext,
  runId: string,
): Promise<EffectRecord[]> {
  const rows = await query(
    context.pool,
    `SELECT ${EFFECT_COLUMNS} FROM ${context.tables.effects}
       WHERE run_id = $1 ORDER BY started_at, position`,
    [runId],
  );
  return rows.map(toEffect);
}

/**
 * Compare-and-set: insert as `started`, or (the key exists) lock the row and take it
 * over only when it is `failed`, `planned`, or `started` by a holder that lost its
 * run (its run is no longer `running` at the epoch it claimed the effect under).
 */
export async function claimEffect(
  context: PostgresContext,
  effect: EffectRecord,
  lease: Lease,
): Promise<EffectClaimResult> {
  assertSameRun(lease, effect.runId);
  return inTransaction(context.pool, async (client) => {
    await lockLease(client, context.tables, lease);
    // DO NOTHING waits for a concurrent insert of the key to commit, then yields to it.
    const inserted = await client.query(
      `INSERT INTO ${context.tables.effects}
         (key, run_id, node, name, effect, status, epoch, args, result, error, started_at, finished_at)
         VALUES ($1, $2, $3, $4, $5, 'started', $6, $7::jsonb, $9::jsonb, $10, $8::timestamptz, NULL)
         ON CONFLICT (key) DO NOTHING`,
      [...effectParams(effect, lease), jsonParam(effect.result), effect.error],
    );
    if (inserted.rowCount === 1) return { claimed: true, previous: undefined };
    const { existing, epoch } = await lockEffect(context, client, effect.key);
    if (!(await isClaimable(context, client, existing, epoch))) return { claimed: false, existing };
    await client.query(
      // As putEffect's upsert (and SQLite): identity and start time stay the first claim's.
      `UPDATE ${context.tables.effects}
         SET status = 'started', epoch = $2, args = $3::jsonb, result = $4::jsonb, error = $5,
             finished_at = NULL
         WHERE key = $1`,
      [effect.key, lease.epoch, jsonParam(effect.args), jsonParam(effect.result), effect.error],
    );
    return { claimed: true, previous: existing };
  });
}

/** Fenced insert-or-update by key; the row records the writer's epoch. */
export async function putEffect(
  context: PostgresContext,
  effect: EffectRecord,
  lease: Lease,
): Promise<void> {
  assertSameRun(lease, effect.runId);
  await inTransaction(context.pool, async (client) => {
    await lockLease(client, context.tables, lease);
    await client.query(
      `INSERT INTO ${context.tables.effects}
         (key, run_id, node, name, effect, status, epoch, args, result, error, started_at, finished_at)
         VALUES ($1, $2, $3, $4, $5, $9, $6, $7::jsonb, $10::jsonb, $11, $8::timestamptz, $12::timestamptz)
         ON CONFLICT (key) DO UPDATE SET status = excluded.status, epoch = excluded.epoch,
           args = excluded.args, result = excluded.result, error = excluded.error,
           finished_at = excluded.finished_at`,
      [
        ...effectParams(effect, lease),
        effect.status,
        jsonParam(effect.result),
        effect.error,
        effect.finishedAt,
      ],
    );
  });
}

/** Fenced; numbered after the run's last seq; notifies `eventsChannel` on commit. */
export async function appendEvents(
  context: PostgresContext,
  lease: Lease,
  events: readonly unknown[],
): Promise<void> {
  const table = context.tables.events;
  await inTransaction(context.pool, async (client) => {
    await lockLease(client, context.tables, lease);
    if (events.length === 0) return;
    await lockNumbering(client, table, lease.runId);
    await client.query(
      `INSERT INTO ${table} (run_id, seq, event)
         SELECT $1, last.seq + item.ordinality, item.value
         FROM (SELECT COALESCE(MAX(seq), 0) AS seq FROM ${table} WHERE run_id = $1) last,
              jsonb_array_elements($2::jsonb) WITH ORDINALITY AS item(value, ordinality)`,
      [lease.runId, JSON.stringify(events)],
    );
    await client.query("SELECT pg_notify($1, $2)", [context.eventsChannel, lease.runId]);
  });
}

/** In seq order; at most `limit` (default 1000, as SQLite). */
export async function listEvents(
  context: PostgresContext,
  runId: string,
  afterSeq: number,
  limit: number | undefined,
): Promise<StoredEvent[]> {
  const rows = await query(
    context.pool,
    `SELECT run_id, seq, event FROM ${context.tables.events}
       WHERE run_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
    [runId, afterSeq, limit ?? 1000],
  );
  return rows.map(toEvent);
}

function effectParams(effect: EffectRecord, lease: Lease): unknown[] {
  return [
    effect.key,
    effect.runId,
    effect.node,
    effect.name,
    effect.effect,
    lease.epoch,
    jsonParam(effect.args),
    effect.startedAt,
  ];
}

/** Waits out concurrent claimers of the key, then reads the latest committed row. */
async function lockEffect(
  context: PostgresContext,
  client: pg.PoolClient,
  key: string,
): Promise<{ existing: EffectRecord; epoch: number | null }> {
  const rows = await query(
    client,
    `SELECT ${EFFECT_COLUMNS}, epoch FROM ${context.tables.effects} WHERE key = $1 FOR UPDATE`,
    [key],
  );
  return { existing: toEffect(rows[0]), epoch: HeldEpoch.parse(rows[0]).epoch };
}

/**
 * `failed` and `planned` are free; `completed` and `compensated` are replayed; `started`
 * is free only when its holder lost its run: the run is no longer `running` at the
 * epoch the effect was claimed under (for the lease's own run: an older epoch).
 */
async function isClaimable(
  context: PostgresContext,
  client: pg.PoolClient,
  existing: EffectRecord,
  epoch: number | null,
): Promise<boolean> {
  if (existing.status === "failed" || existing.status === "planned") return true;
  if (existing.status !== "started") return false;
  if (epoch === null) return true;
  const holder = await client.query(
    `SELECT 1 FROM ${context.tables.runs} WHERE id = $1 AND status = 'running' AND epoch = $2`,
    [existing.runId, epoch],
  );
  return holder.rowCount === 0;
}
