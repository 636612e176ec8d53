import { useEffect } from "preact/hooks";
import type { DecisionRecord } from "../../../src/contracts/decision.ts";
import type { RunView } from "../../../src/dashboard/run-view.ts";
import { type DecisionPathStep, groupDecisionPath } from "../../../src/graph/decision-path.ts";
import type { StoredEvent } from "../../../src/store/types.ts";
import { readStream } from "../api.ts";
import { json, ms, usd, when } from "../format.ts";
import { GraphView } from "../graph-view.tsx";
import { href } from "../router.ts";
import { Failure, useData } from "../use-data.tsx";
import { StatusBadge } from "./runs-page.tsx";

/**
 * One decision row. Inside a step (a sub-workflow's node, an agent's tool call) the row is
 * nested under the step's heading row and labelled by where it sits (issue 16).
 */
function Decision({
  decision,
  inside,
}: {
  readonly decision: DecisionRecord;
  readonly inside?: { readonly step: string; readonly label: string };
}) {
  return (
    <tr
      data-decision={decision.node}
      data-step={inside?.step}
      class={inside ? "nested" : undefined}
    >
      <td>{decision.sequence}</td>
      <td class="node">{inside ? inside.label : decision.node}</td>
      <td>{decision.kind}</td>
      <td>
        {decision.options.map((option) => (
          <span
            key={option.name}
            class={option.name === decision.choice ? "option chosen" : "option"}
          >
            {option.name}
            {option.score !== undefined ? ` ${option.score.toFixed(2)}` : ""}
          </span>
        ))}
      </td>
      <td class="choice">{decision.choice}</td>
      <td class="reason">{decision.reason}</td>
      <td>{decision.confidence === null ? "–" : decision.confidence.toFixed(2)}</td>
      <td>{decision.decidedBy}</td>
      <td>{decision.modelId ?? "–"}</td>
      <td>
        {decision.tokensIn === null ? "–" : `${decision.tokensIn} / ${decision.tokensOut ?? 0}`}
      </td>
      <td>{ms(decision.latencyMs)}</td>
      <td>{usd(decision.costUsd)}</td>
    </tr>
  );
}

/** A step's decisions: its own alone on a row; what happened inside it under a heading row. */
function StepRows({ group }: { readonly group: DecisionPathStep }) {
  const only = group.entries[0];
  if (group.entries.length === 1 && only !== undefined && only.label === "")
    return <Decision decision={only.decision} />;
  return (
    <>
      <tr class="step" data-step-heading={group.step}>
        <td />
        <td colSpan={11}>{group.step}</td>
      </tr>
      {group.entries.map((entry) => (
        <Decision
          decision={entry.decision}
          inside={{ step: group.step, label: entry.label || group.step }}
          key={entry.decision.key}
        />
      ))}
    </>
  );
}

type Timed = { type: string; node?: string; at?: string; durationMs?: number; error?: string };

function Timeline({ events }: { readonly events: readonly StoredEvent[] }) {
  const ends = events
    .map((stored) => stored.event as Timed)
    .filter((event) => event.type === "node-end");
  const longest = Math.max(1, ...ends.map((event) => event.durationMs ?? 0));
  return (
    <ol class="timeline">
      {ends.map((event, index) => (
        <li key={`${event.node}-${index}`} class={event.error ? "failed" : ""}>
          <span class="node-name">{event.node}</span>
          <span
            class="bar"
            style={{ width: `${Math.max(2, ((event.durationMs ?? 0) / longest) * 60)}%` }}
          />
          <span>{ms(event.durationMs)}</span>
          {event.error && <span class="error">{event.error}</span>}
        </li>
      ))}
    </ol>
  );
}

function Effects({ view }: { readonly view: RunView }) {
  if (view.effects.length === 0) return <p class="empty">No side effects.</p>;
  return (
    <table>
      <thead>
        <tr>
          <th>Node</th>
          <th>Tool</th>
          <th>Kind</th>
          <th>Status</th>
          <th>Arguments</th>
          <th>Result</th>
          <th>Started</th>
        </tr>
      </thead>
      <tbody>
        {view.effects.map((effect) => (
          <tr key={effect.key}>
            <td>{effect.node}</td>
            <td>{effect.name}</td>
            <td>{effect.effect}</td>
            <td>
              <StatusBadge status={effect.status} />
            </td>
            <td>
              <code>{JSON.stringify(effect.args)}</code>
            </td>
            <td>
              <code>{effect.error ?? JSON.stringify(effect.result) ?? ""}</code>
            </td>
            <td>{when(effect.startedAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Approvals({ view }: { readonly view: RunView }) {
  if (view.approvals.length === 0) return <p class="empty">No approvals.</p>;
  return (
    <ul class="approvals">
      {view.approvals.map((approval) => (
        <li key={approval.id} data-approval={approval.id}>
          <StatusBadge status={approval.status} /> <strong>{approval.message}</strong> at{" "}
          {approval.node}, asked {when(approval.requestedAt)}
          {approval.deadline && `, deadline ${when(approval.deadline)}`}
          {approval.decidedBy && (
            <p class="audit">
              {approval.status} by <strong>{approval.decidedBy}</strong> {when(approval.decidedAt)}
              {approval.comment && `: “${approval.comment}”`}
            </p>
          )}
          {approval.status === "pending" && <a href={href("approvals")}>Decide in the inbox</a>}
        </li>
      ))}
    </ul>
  );
}

/** One run: its graph and path, decisions with reasons, timeline, effects, approvals, data. */
export function RunPage({ id }: { readonly id: string }) {
  const { data: view, error, reload } = useData<RunView>(`/api/runs/${encodeURIComponent(id)}`);
  useEffect(() => {
    const controller = new AbortController();
    let last = 0;
    readStream(
      `/api/runs/${encodeURIComponent(id)}/events`,
      (message) => {
        const seq = Number(message.id ?? 0);
        if (seq > last || message.event === "end") {
          last = Math.max(last, seq);
          reload();
        }
      },
      controller.signal,
    ).catch(() => {});
    return () => controller.abort();
  }, [id, reload]);
  if (view === undefined) return <Failure error={error ?? undefined} />;
  const { run } = view;
  return (
    <section class="run">
      <h1>
        Run <code>{run.id}</code> <StatusBadge status={run.status} />
      </h1>
      <p class="meta">
        {run.workflow} v{run.version} · {run.trigger}
        {run.dryRun ? " · dry run" : ""} · created {when(run.createdAt)}
        {run.finishedAt ? ` · finished ${when(run.finishedAt)}` : ""}
      </p>
      {view.parent && (
        <p>
          Parent: <a href={href("runs", view.parent.id)}>{view.parent.id}</a>
        </p>
      )}
      {view.children.length > 0 && (
        <p>
          Children:{" "}
          {view.children.map((child) => (
            <a key={child.id} href={href("runs", child.id)} class="child">
              {child.id}
            </a>
          ))}
        </p>
      )}
      {run.error && <p class="error">{run.error}</p>}
      <h2>Path</h2>
      {view.graph ? (
        <>
          <p class="path" data-testid="path">
            {view.graph.path.join(" → ")}
          </p>
          <div class="graph-box">
            <GraphView graph={view.graph} />
          </div>
        </>
      ) : (
        <p class="empty">
          This server does not have version {run.version} of {run.workflow}.
        </p>
      )}
      <h2>Decisions</h2>
      <table class="decisions">
        <thead>
          <tr>
            <th>#</th>
            <th>Node</th>
            <th>Kind</th>
            <th>Options</th>
            <th>Choice</th>
            <th>Reason</th>
            <th>Confidence</th>
            <th>Decided by</th>
            <th>Model</th>
            <th>Tokens in/out</th>
            <th>Latency</th>
            <th>Cost</th>
          </tr>
        </thead>
        <tbody>
          {groupDecisionPath(view.decisions).map((group, index) => (
            <StepRows group={group} key={`${group.step}-${index}`} />
          ))}
        </tbody>
      </table>
      <h2>Timeline</h2>
      <Timeline events={view.events} />
      <h2>Effects</h2>
      <Effects view={view} />
      <h2>Approvals</h2>
      <Approvals view={view} />
      <div class="columns">
        <div>
          <h2>Input</h2>
          <pre>{json(run.input)}</pre>
        </div>
        <div>
          <h2>Output</h2>
          <pre data-testid="output">{json(run.output)}</pre>
        </div>
      </div>
    </section>
  );
}
