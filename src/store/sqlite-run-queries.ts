import type Database from "better-sqlite3";
import { type Row, toRun } from "./sqlite-rows.ts";
import {
  filterStatuses,
  type OutcomeDecisionTotals,
  type OutcomeFilter,
  type OutcomeNodeDuration,
  type OutcomeRows,
  type OutcomeRunCount,
  type RunCount,
  type RunFilter,
  type RunRecord,
} from "./types.ts";

type Statement = (sql: string) => Database.Statement;

/** The WHERE clause and parameters of a run filter (runs aliased `r`). */
function runConditions(filter: Omit<RunFilter, "status">): { where: string[]; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, ...values: unknown[]) => {
    where.push(sql);
    params.push(...values);
  };
  if (filter.workflow !== undefined) add("r.workflow = ?", filter.workflow);
  if (filter.parentRunId !== undefined) add("r.parent_run_id = ?", filter.parentRunId);
  if (filter.createdAfter !== undefined) add("r.created_at > ?", filter.createdAfter);
  if (filter.createdBefore !== undefined) add("r.created_at < ?", filter.createdBefore);
  if (filter.idPrefix !== undefined)
    add("substr(r.id, 1, ?) = ?", filter.idPrefix.length, filter.idPrefix);
  if (filter.excludeTriggers !== undefined && filter.excludeTriggers.length > 0)
    add(
      `r.trigger NOT IN (${filter.excludeTriggers.map(() => "?").join(",")})`,
      ...filter.excludeTriggers,
    );
  if (filter.after !== undefined)
    add("(r.created_at, r.id) < (?, ?)", filter.after.createdAt, filter.after.id);
  if (filter.dryRun !== undefined) add("r.dry_run = ?", filter.dryRun ? 1 : 0);
  if (filter.decidedBy !== undefined)
    add(
      "EXISTS (SELECT 1 FROM decisions d WHERE d.run_id = r.id AND d.decided_by = ?)",
      filter.decidedBy,
    );
  if (filter.escalated !== undefined)
    add(
      `${filter.escalated ? "" : "NOT "}EXISTS (SELECT 1 FROM decisions d WHERE d.run_id = r.id AND d.kind = 'escalation')`,
    );
  if (filter.search !== undefined) add("instr(lower(r.input), lower(?)) > 0", filter.search);
  return { where, params };
}

const ORDER = "ORDER BY created_at DESC, id DESC";

/**
 * Runs newest first, keyset-paged on (created_at, id) so deep pages cost what the first
 * does. Several statuses are one index range each, merged (`status IN (…)` would sort
 * every matching run).
 */
export function listRunsSqlite(sql: Statement, filter: RunFilter): RunRecord[] {
  const { where, params } = runConditions(filter);
  const limit = filter.limit ?? 100;
  const statuses = filterStatuses(filter);
  if (statuses.length === 0) return [];
  const parts = statuses.map((status) => {
    const conditions = status === undefined ? where : ["r.status = ?", ...where];
    const clause = conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : "";
    return {
      text: `SELECT * FROM (SELECT r.* FROM runs r ${clause} ${ORDER} LIMIT ?)`,
      params: [...(status === undefined ? [] : [status]), ...params, limit],
    };
  });
  const rows = sql(
    `SELECT * FROM (${parts.map((part) => part.text).join(" UNION ALL ")}) ${ORDER} LIMIT ?`,
  ).all(...parts.flatMap((part) => part.params), limit) as Row[];
  return rows.map(toRun);
}

const WINDOW =
  "r.created_at >= ? AND (? IS NULL OR r.created_at < ?) AND (? IS NULL OR r.workflow = ?)";
const windowParams = (filter: OutcomeFilter) => {
  const until = filter.until ?? null;
  const workflow = filter.workflow ?? null;
  return [filter.since, until, until, workflow, workflow];
};

/** Outcome figures per workflow and day (see RunStore.outcomeStats). */
export function outcomeStatsSqlite(
  sql: Statement,
  filter: OutcomeFilter,
  maxDurations: number,
): OutcomeRows {
  const params = windowParams(filter);
  const runs = sql(
    `SELECT r.workflow, substr(r.created_at, 1, 10) AS day, r.status, count(*) AS runs,
       sum(EXISTS (SELECT 1 FROM decisions d WHERE d.run_id = r.id AND d.kind = 'escalation')) AS escalated
     FROM runs r WHERE ${WINDOW} GROUP BY 1, 2, 3 ORDER BY 2, 1, 3`,
  ).all(...params) as OutcomeRunCount[];
  const decisions = sql(
    `SELECT r.workflow, substr(r.created_at, 1, 10) AS day,
       count(*) FILTER (WHERE d.decided_by = 'llm') AS llmCalls,
       count(*) FILTER (WHERE d.kind = 'route' AND d.decided_by IN ('rule', 'classifier')) AS llmAvoided,
       coalesce(sum(json_extract(d.record, '$.tokensIn')), 0) AS tokensIn,
       coalesce(sum(json_extract(d.record, '$.tokensOut')), 0) AS tokensOut,
       coalesce(sum(json_extract(d.record, '$.costUsd')), 0.0) AS costUsd
     FROM runs r JOIN decisions d ON d.run_id = r.id
     WHERE ${WINDOW} GROUP BY 1, 2 ORDER BY 2, 1`,
  ).all(...params) as OutcomeDecisionTotals[];
  const nodeDurations = sql(
    `SELECT r.workflow, substr(r.created_at, 1, 10) AS day,
       json_extract(e.event, '$.node') AS node,
       json_extract(e.event, '$.durationMs') AS durationMs
     FROM runs r JOIN run_events e ON e.run_id = r.id
     WHERE ${WINDOW} AND json_extract(e.event, '$.type') = 'node-end'
     ORDER BY r.created_at DESC LIMIT ?`,
  ).all(...params, maxDurations) as OutcomeNodeDuration[];
  return { runs, decisions, nodeDurations };
}

/** Runs per workflow and status. */
export function countRunsSqlite(sql: Statement): RunCount[] {
  return sql(
    "SELECT workflow, status, count(*) AS runs FROM runs GROUP BY workflow, status",
  ).all() as RunCount[];
}
