import type { DailyOutcome } from "../../../src/dashboard/outcomes.ts";
import { ms, usd } from "../format.ts";
import { Failure, useData } from "../use-data.tsx";

function Bar({ outcome }: { readonly outcome: DailyOutcome }) {
  const total = Math.max(1, outcome.volume);
  const part = (count: number, kind: string) =>
    count > 0 ? (
      <span class={`segment ${kind}`} style={{ width: `${(count / total) * 100}%` }} />
    ) : null;
  const other = outcome.volume - outcome.succeeded - outcome.failed - outcome.waiting;
  return (
    <div class="bar-stack" title={`${outcome.volume} runs`}>
      {part(outcome.succeeded, "succeeded")}
      {part(outcome.failed, "failed")}
      {part(outcome.waiting, "waiting")}
      {part(other, "other")}
    </div>
  );
}

/** Per workflow and day: volume, outcomes, LLM calls avoided, node latency, tokens, cost. */
export function OutcomesPage() {
  const { data, error } = useData<{ since: string; days: DailyOutcome[] }>("/api/metrics/outcomes");
  return (
    <section>
      <h1>Outcomes</h1>
      <p class="meta">Runs created in the last 30 days, by workflow and day (UTC).</p>
      <Failure error={error} />
      <table class="outcomes">
        <thead>
          <tr>
            <th>Day</th>
            <th>Workflow</th>
            <th>Volume</th>
            <th>Outcome</th>
            <th>Succeeded</th>
            <th>Failed</th>
            <th>Escalated</th>
            <th>Waiting</th>
            <th>LLM calls</th>
            <th>LLM calls avoided</th>
            <th>Node p50 / p95</th>
            <th>Tokens in/out</th>
            <th>Cost</th>
          </tr>
        </thead>
        <tbody>
          {[...(data?.days ?? [])].reverse().map((day) => (
            <tr key={`${day.day}-${day.workflow}`}>
              <td>{day.day}</td>
              <td>{day.workflow}</td>
              <td>{day.volume}</td>
              <td>
                <Bar outcome={day} />
              </td>
              <td>{day.succeeded}</td>
              <td>{day.failed}</td>
              <td>{day.escalated}</td>
              <td>{day.waiting}</td>
              <td>{day.llmCalls}</td>
              <td>{day.llmAvoided}</td>
              <td>
                {day.nodes.map((node) => (
                  <div key={node.node}>
                    {node.node}: {ms(node.p50Ms)} / {ms(node.p95Ms)}
                  </div>
                ))}
              </td>
              <td>
                {day.tokensIn} / {day.tokensOut}
              </td>
              <td>{usd(day.costUsd)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
