import { useEffect, useState } from "preact/hooks";
import type { RunPage, RunSummary } from "../../../src/dashboard/run-page.ts";
import { RUN_STATUSES } from "../../../src/store/types.ts";
import { ApiError, getJson, readStream } from "../api.ts";
import { when } from "../format.ts";
import { href, type Route } from "../router.ts";
import { Failure } from "../use-data.tsx";

const FILTERS = ["status", "workflow", "since", "until", "decidedBy", "escalated", "dryRun", "q"];
const STATUSES = ["", ...RUN_STATUSES];

function toQuery(form: Record<string, string>): URLSearchParams {
  const query = new URLSearchParams();
  for (const name of FILTERS) {
    const value = form[name]?.trim() ?? "";
    if (value === "") continue;
    query.set(name, name === "since" || name === "until" ? new Date(value).toISOString() : value);
  }
  return query;
}

function fromQuery(query: URLSearchParams): Record<string, string> {
  const form: Record<string, string> = {};
  for (const name of FILTERS) {
    const value = query.get(name) ?? "";
    form[name] =
      (name === "since" || name === "until") && value !== "" ? value.slice(0, 16) : value;
  }
  return form;
}

export function StatusBadge({ status }: { readonly status: string }) {
  return <span class={`status ${status}`}>{status}</span>;
}

function RunRow({ run }: { readonly run: RunSummary }) {
  return (
    <tr data-run-id={run.id}>
      <td>
        <a href={href("runs", run.id)}>{run.id}</a>
      </td>
      <td>{run.workflow}</td>
      <td>
        <StatusBadge status={run.status} />
        {run.dryRun && <span class="tag">dry run</span>}
      </td>
      <td class="preview">{run.inputPreview}</td>
      <td>{when(run.createdAt)}</td>
    </tr>
  );
}

/** Loads the first page for `query`, and again whenever the server says runs changed. */
function useRunPages(query: URLSearchParams) {
  const [runs, setRuns] = useState<RunSummary[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | undefined>();
  const [version, setVersion] = useState(0);
  const search = query.toString();
  useEffect(() => {
    const controller = new AbortController();
    getJson<RunPage>(`/api/runs?${search}`, controller.signal)
      .then((page) => {
        setRuns([...page.runs]);
        setCursor(page.nextCursor);
        setError(undefined);
      })
      .catch((failure: unknown) => {
        if (!controller.signal.aborted)
          setError(failure instanceof ApiError ? failure.message : String(failure));
      });
    return () => controller.abort();
  }, [search, version]);
  useEffect(() => {
    const controller = new AbortController();
    readStream("/api/runs/stream", () => setVersion((value) => value + 1), controller.signal).catch(
      () => {},
    );
    return () => controller.abort();
  }, []);
  const more = async () => {
    if (cursor === null) return;
    const next = new URLSearchParams(query);
    next.set("cursor", cursor);
    const page = await getJson<RunPage>(`/api/runs?${next}`);
    setRuns((shown) => [...shown, ...page.runs]);
    setCursor(page.nextCursor);
  };
  return { runs, cursor, error, more };
}

/** A form field bound to one filter of the runs list. */
interface FilterField {
  readonly name: string;
  readonly value: string;
  readonly onInput: (event: Event) => void;
}

/** A filter that is unset ("either"), `true` or `false`. */
function YesNoFilter({ label, field }: { readonly label: string; readonly field: FilterField }) {
  return (
    <label>
      {label}
      <select {...field}>
        <option value="">either</option>
        <option value="true">yes</option>
        <option value="false">no</option>
      </select>
    </label>
  );
}

/** The runs list: filters in the URL, newest first, live, paged with "more". */
export function RunsPage({ route }: { readonly route: Route }) {
  const [form, setForm] = useState(() => fromQuery(route.query));
  const query = new URLSearchParams(route.query);
  query.set("limit", "50");
  const { runs, cursor, error, more } = useRunPages(query);
  const field = (name: string): FilterField => ({
    name,
    value: form[name] ?? "",
    onInput: (event: Event) =>
      setForm({ ...form, [name]: (event.currentTarget as HTMLInputElement).value }),
  });
  const apply = (event: Event) => {
    event.preventDefault();
    window.location.hash = href("runs", undefined, toQuery(form));
  };
  return (
    <section>
      <h1>Runs</h1>
      <form class="filters" onSubmit={apply} aria-label="filters">
        <label>
          Status
          <select {...field("status")}>
            {STATUSES.map((status) => (
              <option value={status} key={status}>
                {status === "" ? "any" : status}
              </option>
            ))}
          </select>
        </label>
        <label>
          Workflow
          <input {...field("workflow")} placeholder="any" />
        </label>
        <label>
          From
          <input type="datetime-local" {...field("since")} />
        </label>
        <label>
          To
          <input type="datetime-local" {...field("until")} />
        </label>
        <label>
          Decided by
          <select {...field("decidedBy")}>
            {["", "rule", "classifier", "llm", "human", "default"].map((by) => (
              <option value={by} key={by}>
                {by === "" ? "anyone" : by}
              </option>
            ))}
          </select>
        </label>
        <YesNoFilter label="Escalated" field={field("escalated")} />
        <YesNoFilter label="Dry run" field={field("dryRun")} />
        <label>
          Input contains
          <input {...field("q")} placeholder="text" />
        </label>
        <button type="submit">Filter</button>
      </form>
      <Failure error={error} />
      <table class="runs">
        <thead>
          <tr>
            <th>Run</th>
            <th>Workflow</th>
            <th>Status</th>
            <th>Input</th>
            <th>Created</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <RunRow run={run} key={run.id} />
          ))}
        </tbody>
      </table>
      {runs.length === 0 && error === undefined && <p class="empty">No runs match.</p>}
      {cursor !== null && (
        <button type="button" onClick={() => void more()}>
          More
        </button>
      )}
    </section>
  );
}
