import { z } from "zod";
import { RUN_COLUMNS, toRun } from "./postgres-rows.ts";
import { type PostgresContext, query } from "./postgres-sql.ts";
import {
  filterStatuses,
  type OutcomeFilter,
  type OutcomeRows,
  RUN_STATUSES,
  type RunCount,
  type RunFilter,
  type RunRecord,
} from "./types.ts";

// Read-only queries over many runs: the runs list (keyset-paged) and outcome figures.

function runConditions(context: PostgresContext, filter: RunFilter, params: unknown[]) {
  const where: string[] = [];
  const add = (sql: (placeholder: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  const { decisions } = context.tables;
  if (filter.workflow !== undefined) add((p) => `r.workflow = ${p}`, filter.workflow);
  if (filter.parentRunId !== undefined) add((p) => `r.parent_run_id = ${p}`, filter.parentRunId);
  if (filter.createdAfter !== undefined)
    add((p) => `r.created_at > ${p}::timestamptz`, filter.createdAfter);
  if (filter.createdBefore !== undefined)
    add((p) => `r.created_at < ${p}::timestamptz`, filter.createdBefore);
  if (filter.idPrefix !== undefined) add((p) => `starts_with(r.id, ${p})`, filter.idPrefix);
  if (filter.excludeTriggers !== undefined && filter.excludeTriggers.length > 0)
    add((p) => `r.trigger <> ALL(${p}::text[])`, [...filter.excludeTriggers]);
  if (filter.after !== undefined) {
    params.push(filter.after.createdAt, filter.after.id);
    const at = `$${params.length - 1}::timestamptz`;
    where.push(`(r.created_at, r.id) < (${at}, $${params.length})`);
  }
  if (filter.dryRun !== undefined) add((p) => `r.dry_run = ${p}`, filter.dryRun);
  if (filter.decidedBy !== undefined)
    add(
      (p) => `EXISTS (SELECT 1 FROM ${decisions} d WHERE d.run_id = r.id AND d.decided_by = ${p})`,
      filter.decidedBy,
    );
  if (filter.escalated !== undefined)
    where.push(
      `${filter.escalated ? "" : "NOT "}EXISTS (SELECT 1 FROM ${decisions} d WHERE d.run_id = r.id AND d.kind = 'escalation')`,
    );
  if (filter.search !== undefined)
    add((p) => `strpos(lower(r.input::text), lower(${p})) > 0`, filter.search);
  return where;
}

const ORDER = "ORDER BY created_at DESC, id DESC";

/**
 * Newest first (created_at, then id, descending), keyset-paged; at most `limit` (default
 * 100). Several statuses are one index range each, merged, instead of a sort of every match.
 */
export async function listRuns(context: PostgresContext, filter: RunFilter): Promise<RunRecord[]> {
  const params: unknown[] = [filter.limit ?? 100];
  const where = runConditions(context, filter, params);
  const statuses = filterStatuses(filter);
  if (statuses.length === 0) return [];
  const parts = statuses.map((status) => {
    if (status !== undefined) params.push(status);
    const conditions = status === undefined ? where : [`r.status = $${params.length}`, ...where];
    const clause = conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : "";
    return `(SELECT r.* FROM ${context.tables.runs} r ${clause} ${ORDER} LIMIT $1)`;
  });
  const rows = await query(
    context.pool,
    `SELECT ${RUN_COLUMNS} FROM (${parts.join(" UNION ALL ")}) r ${ORDER} LIMIT $1`,
    params,
  );
  return rows.map(toRun);
}

const DAY = `to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;
const WINDOW = `r.created_at >= $1::timestamptz AND ($2::timestamptz IS NULL OR r.created_at < $2)
  AND ($3::text IS NULL OR r.workflow = $3)`;

const count = z.coerce.number();
const DailyRunCountRow = z.object({
  workflow: z.string(),
  day: z.string(),
  status: z.enum(RUN_STATUSES),
  runs: count,
  escalated: count,
});
const DecisionTotalsRow = z.object({
  workflow: z.string(),
  day: z.string(),
  llmCalls: count,
  llmAvoided: count,
  tokensIn: count,
  tokensOut: count,
  costUsd: count,
});
const DurationRow = z.object({
  workflow: z.string(),
  day: z.string(),
  node: z.string(),
  durationMs: count,
});

/** Outcome figures per workflow and day (see RunStore.outcomeStats). */
export async function outcomeStats(
  context: PostgresContext,
  filter: OutcomeFilter,
  maxDurations: number,
): Promise<OutcomeRows> {
  const { runs, decisions, events } = context.tables;
  const params = [filter.since, filter.until ?? null, filter.workflow ?? null];
  const [counts, totals, durations] = await Promise.all([
    query(
      context.pool,
      `SELECT r.workflow, ${DAY} AS day, r.status, count(*) AS runs,
         count(*) FILTER (WHERE EXISTS (SELECT 1 FROM ${decisions} d
           WHERE d.run_id = r.id AND d.kind = 'escalation')) AS escalated
       FROM ${runs} r WHERE ${WINDOW} GROUP BY 1, 2, 3 ORDER BY 2, 1, 3`,
      params,
    ),
    query(
      context.pool,
      `SELECT r.workflow, ${DAY} AS day,
         count(*) FILTER (WHERE d.decided_by = 'llm') AS "llmCalls",
         count(*) FILTER (WHERE d.kind = 'route' AND d.decided_by IN ('rule', 'classifier')) AS "llmAvoided",
         coalesce(sum((d.record->>'tokensIn')::bigint), 0) AS "tokensIn",
         coalesce(sum((d.record->>'tokensOut')::bigint), 0) AS "tokensOut",
         coalesce(sum((d.record->>'costUsd')::double precision), 0) AS "costUsd"
       FROM ${runs} r JOIN ${decisions} d ON d.run_id = r.id
       WHERE ${WINDOW} GROUP BY 1, 2 ORDER BY 2, 1`,
      params,
    ),
    query(
      context.pool,
      `SELECT r.workflow, ${DAY} AS day, e.event->>'node' AS node,
         (e.event->>'durationMs')::double precision AS "durationMs"
       FROM ${runs} r JOIN ${events} e ON e.run_id = r.id
       WHERE ${WINDOW} AND e.event->>'type' = 'node-end'
       ORDER BY r.created_at DESC LIMIT $4`,
      [...params, maxDurations],
    ),
  ]);
  return {
    runs: counts.map((row) => DailyRunCountRow.parse(row)),
    decisions: totals.map((row) => DecisionTotalsRow.parse(row)),
    nodeDurations: durations.map((row) => DurationRow.parse(row)),
  };
}

const RunCountRow = z.object({ workflow: z.string(), status: z.enum(RUN_STATUSES), runs: count });

/** Runs per workflow and status. */
export async function countRuns(context: PostgresContext): Promise<RunCount[]> {
  const rows = await query(
    context.pool,
    `SELECT workflow, status, count(*) AS runs FROM ${context.tables.runs} GROUP BY workflow, status`,
  );
  return rows.map((row) => RunCountRow.parse(row));
}
