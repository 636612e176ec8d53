import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { decideInboxApproval, listApprovalInbox } from "../../dashboard/approval-inbox.ts";
import { listEvalResults, readEvalResult } from "../../dashboard/eval-results.ts";
import { readOutcomes } from "../../dashboard/outcomes.ts";
import { decodeRunCursor } from "../../dashboard/run-cursor.ts";
import { listRunPage } from "../../dashboard/run-page.ts";
import { readRunView } from "../../dashboard/run-view.ts";
import { listWorkflowViews } from "../../dashboard/workflow-view.ts";
import type { Runtime } from "../../runtime/runtime.ts";
import { sendJson } from "../http-responses.ts";
import { readJsonBody } from "../read-json-body.ts";
import {
  ApprovalBody,
  ApprovalsQuery,
  EventsQuery,
  parseParameters,
  queryOf,
  RunsQuery,
  WindowQuery,
  windowStart,
} from "./api-query.ts";
import { sendApiError, sendThrown } from "./api-responses.ts";
import { streamRunChanges, streamRunEvents } from "./event-streams.ts";

/** What the dashboard API needs. */
export interface ApiContext {
  readonly runtime: Runtime;
  /** Where saved eval results live (`<home>/evals`); without it `/api/evals` lists none. */
  readonly evalsDirectory: string | undefined;
  readonly maxBodyBytes: number;
  /** Who is calling, for the audit trail of approvals. */
  readonly identify: (request: IncomingMessage) => string;
  readonly logger: Logger;
}

type Handler = (
  context: ApiContext,
  request: IncomingMessage,
  response: ServerResponse,
  match: { readonly url: URL; readonly id: string; readonly started: bigint },
) => Promise<void>;

interface Route {
  readonly method: "GET" | "POST";
  readonly pattern: RegExp;
  readonly handler: Handler;
}

const query = (url: URL) => queryOf(url);

/** Answers 200 with JSON and `Server-Timing: app;dur=<ms>` (the time spent here, for clients and benches). */
function sendOk(response: ServerResponse, started: bigint, body: unknown): void {
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  sendJson(response, 200, body, { "Server-Timing": `app;dur=${ms.toFixed(2)}` });
}

const listRuns: Handler = async (context, _request, response, { url, started }) => {
  const params = parseParameters(RunsQuery, query(url), "query parameter");
  const page = await listRunPage(
    context.runtime.store,
    {
      status: params.status,
      workflow: params.workflow,
      createdAfter: params.since,
      createdBefore: params.until,
      decidedBy: params.decidedBy,
      escalated: params.escalated,
      dryRun: params.dryRun,
      search: params.q,
      parentRunId: params.parent,
      after: params.cursor === undefined ? undefined : decodeRunCursor(params.cursor),
    },
    params.limit,
  );
  sendOk(response, started, page);
};

const getRun: Handler = async (context, _request, response, { url, id, started }) => {
  parseParameters(WindowQuery.pick({}), query(url), "query parameter");
  sendOk(response, started, await readRunView(context.runtime, id));
};

const runEvents: Handler = async (context, request, response, { url, id }) => {
  const params = parseParameters(EventsQuery, query(url), "query parameter");
  const lastEventId = Number(request.headers["last-event-id"] ?? Number.NaN);
  await context.runtime.get(id);
  const after = Number.isInteger(lastEventId) && lastEventId >= 0 ? lastEventId : params.after;
  await streamRunEvents(context.runtime.store, id, after, response);
};

const runChanges: Handler = async (context, _request, response) =>
  streamRunChanges(context.runtime.store, response);

const listApprovals: Handler = async (context, _request, response, { url, started }) => {
  const params = parseParameters(ApprovalsQuery, query(url), "query parameter");
  sendOk(response, started, { approvals: await listApprovalInbox(context.runtime, params.status) });
};

const decideApproval: Handler = async (context, request, response, { id, started }) => {
  const body = await readJsonBody(request, context.maxBodyBytes);
  if (body.kind === "aborted") return;
  if (body.kind === "too-large")
    return sendApiError(response, 413, `request body larger than ${context.maxBodyBytes} bytes`);
  if (body.kind === "invalid") return sendApiError(response, 400, body.message);
  const decision = parseParameters(ApprovalBody, body.value, "body field");
  const by = context.identify(request);
  sendOk(response, started, await decideInboxApproval(context.runtime, id, { ...decision, by }));
};

const listWorkflows: Handler = async (context, _request, response, { url, started }) => {
  const params = parseParameters(WindowQuery, query(url), "query parameter");
  const views = await listWorkflowViews(context.runtime, windowStart(params.since));
  sendOk(response, started, {
    workflows:
      params.workflow === undefined ? views : views.filter((view) => view.name === params.workflow),
  });
};

const listEvals: Handler = async (context, _request, response, { url, started }) => {
  parseParameters(WindowQuery.pick({}), query(url), "query parameter");
  const directory = context.evalsDirectory;
  sendOk(response, started, {
    evals: directory === undefined ? [] : await listEvalResults(directory),
  });
};

const getEval: Handler = async (context, _request, response, { id, started }) => {
  const directory = context.evalsDirectory;
  if (directory === undefined)
    return sendApiError(response, 404, "this server keeps no eval results");
  sendOk(response, started, await readEvalResult(directory, id));
};

const outcomes: Handler = async (context, _request, response, { url, started }) => {
  const params = parseParameters(WindowQuery, query(url), "query parameter");
  const since = windowStart(params.since);
  const days = await readOutcomes(context.runtime.store, { ...params, since });
  sendOk(response, started, { since, until: params.until ?? null, days });
};

const ID = "([^/]+)";
const ROUTES: readonly Route[] = [
  { method: "GET", pattern: /^\/api\/runs$/, handler: listRuns },
  { method: "GET", pattern: /^\/api\/runs\/stream$/, handler: runChanges },
  { method: "GET", pattern: new RegExp(`^/api/runs/${ID}$`), handler: getRun },
  { method: "GET", pattern: new RegExp(`^/api/runs/${ID}/events$`), handler: runEvents },
  { method: "GET", pattern: /^\/api\/approvals$/, handler: listApprovals },
  { method: "POST", pattern: new RegExp(`^/api/approvals/${ID}$`), handler: decideApproval },
  { method: "GET", pattern: /^\/api\/workflows$/, handler: listWorkflows },
  { method: "GET", pattern: /^\/api\/evals$/, handler: listEvals },
  { method: "GET", pattern: new RegExp(`^/api/evals/${ID}$`), handler: getEval },
  { method: "GET", pattern: /^\/api\/metrics\/outcomes$/, handler: outcomes },
];

/** The dashboard API's endpoints, for 404 answers and `GET /api`. */
export const API_ENDPOINTS = [
  "GET /api/runs",
  "GET /api/runs/stream",
  "GET /api/runs/:id",
  "GET /api/runs/:id/events",
  "GET /api/approvals",
  "POST /api/approvals/:id",
  "GET /api/workflows",
  "GET /api/evals",
  "GET /api/evals/:id",
  "GET /api/metrics/outcomes",
];

/** True for paths the dashboard API answers (everything under `/api/` but the chat). */
export function isApiPath(path: string): boolean {
  return path === "/api" || path.startsWith("/api/");
}

function decodeId(raw: string | undefined): string | undefined {
  try {
    return decodeURIComponent(raw ?? "");
  } catch {
    return undefined;
  }
}

/** Answers one request under `/api/` (see docs/api.md). */
export async function handleApiRoute(
  context: ApiContext,
  url: URL,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const started = process.hrtime.bigint();
  const path = url.pathname;
  if (path === "/api" || path === "/api/")
    return sendOk(response, started, { endpoints: API_ENDPOINTS });
  const matching = ROUTES.filter((route) => route.pattern.test(path));
  if (matching.length === 0)
    return sendApiError(
      response,
      404,
      `no endpoint ${path}; endpoints: ${API_ENDPOINTS.join(", ")}`,
    );
  const route = matching.find((candidate) => candidate.method === request.method);
  if (route === undefined)
    return sendApiError(response, 405, `method ${request.method} not allowed on ${path}`, {
      headers: { Allow: [...new Set(matching.map((candidate) => candidate.method))].join(", ") },
    });
  const id = decodeId(route.pattern.exec(path)?.[1]);
  if (id === undefined)
    return sendApiError(response, 400, "the id in the path is not valid percent-encoding");
  try {
    await route.handler(context, request, response, { url, id, started });
  } catch (error) {
    sendThrown(response, error, context.logger);
  }
}
