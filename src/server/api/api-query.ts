import { z } from "zod";
import { DecidedBy } from "../../contracts/decision.ts";
import { ErrorCode, SignalboxError } from "../../errors.ts";
import { RUN_STATUSES } from "../../store/types.ts";

const flag = z.enum(["true", "false"]).transform((value) => value === "true");
const time = z.iso.datetime({ offset: true });
const commaList = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .string()
    .transform((value) => value.split(",").filter((part) => part !== ""))
    .pipe(z.array(item).min(1));

/** `GET /api/runs`. */
export const RunsQuery = z.strictObject({
  status: commaList(z.enum(RUN_STATUSES)).optional(),
  workflow: z.string().min(1).optional(),
  since: time.optional(),
  until: time.optional(),
  decidedBy: DecidedBy.optional(),
  escalated: flag.optional(),
  dryRun: flag.optional(),
  q: z.string().min(1).max(200).optional(),
  parent: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().min(1).optional(),
});

/** `GET /api/runs/:id/events`. */
export const EventsQuery = z.strictObject({
  after: z.coerce.number().int().min(0).default(0),
});

/** `GET /api/approvals`. */
export const ApprovalsQuery = z.strictObject({
  status: z
    .enum(["pending", "approved", "rejected", "changes_requested", "expired"])
    .default("pending"),
});

/** `POST /api/approvals/:id`. */
export const ApprovalBody = z.strictObject({
  decision: z.enum(["approved", "rejected", "changes_requested"]),
  comment: z.string().max(4000).optional(),
});

/** `GET /api/workflows` and `GET /api/metrics/outcomes`: a window of days (default the last 30). */
export const WindowQuery = z.strictObject({
  since: time.optional(),
  until: time.optional(),
  workflow: z.string().min(1).optional(),
});

const DAY_MS = 86_400_000;

/** The start of a window: `since`, else 30 days ago. */
export function windowStart(since: string | undefined, now = Date.now()): string {
  return since ?? new Date(now - 30 * DAY_MS).toISOString();
}

/** The first parameter an error names: a key, or the unknown key itself. */
function parameterOf(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") return issue.keys[0] ?? "";
  return String(issue.path[0] ?? "");
}

/**
 * Validates query parameters or a body against `schema`.
 * @throws SignalboxError INPUT_INVALID whose message starts with the parameter's name
 * and says what was expected; `data.parameter` names it too
 */
export function parseParameters<T extends z.ZodType>(
  schema: T,
  value: unknown,
  where: "query parameter" | "body field",
): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const parameter = issue === undefined ? "" : parameterOf(issue);
  const message =
    issue?.code === "unrecognized_keys"
      ? `unknown ${where} "${parameter}"; known: ${knownKeys(schema).join(", ")}`
      : `${where} "${parameter}": ${issue?.message ?? "invalid"}`;
  throw new SignalboxError(ErrorCode.InputInvalid, message, { data: { parameter } });
}

function knownKeys(schema: z.ZodType): string[] {
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

/** The query string as an object: the last value of a repeated parameter wins. */
export function queryOf(url: URL): Record<string, string> {
  return Object.fromEntries(url.searchParams.entries());
}
