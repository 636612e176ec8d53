import type { EvalResultSummary } from "../../../src/dashboard/eval-results.ts";
import type { ConfigResult, EvalResult, NodeMetrics } from "../../../src/eval/types.ts";
import { ms, percent, usd, when } from "../format.ts";
import { href, type Route } from "../router.ts";
import { Failure, useData } from "../use-data.tsx";

function Curve({ node }: { readonly node: NodeMetrics }) {
  if (node.curve.length === 0) return null;
  const points = node.curve.map((point) => `${point.coverage * 200},${100 - point.accuracy * 100}`);
  return (
    <svg
      class="curve"
      viewBox="-4 -4 208 108"
      width="208"
      height="108"
      role="img"
      aria-label="accuracy vs coverage"
    >
      <rect x="0" y="0" width="200" height="100" class="frame" />
      <polyline points={points.join(" ")} fill="none" />
    </svg>
  );
}

function Node({ node }: { readonly node: NodeMetrics }) {
  return (
    <div class="eval-node">
      <h4>{node.node}</h4>
      <p>
        accuracy {percent(node.accuracy)} · coverage {percent(node.coverage)} · selective{" "}
        {percent(node.selectiveAccuracy)} · p50 {ms(node.latencyP50Ms)} · p95{" "}
        {ms(node.latencyP95Ms)}
      </p>
      <Curve node={node} />
      {node.confusions.length > 0 && (
        <table class="confusions">
          <thead>
            <tr>
              <th>Expected</th>
              <th>Got</th>
              <th>Cases</th>
            </tr>
          </thead>
          <tbody>
            {node.confusions.map((confusion) => (
              <tr key={`${confusion.expected}>${confusion.got}`}>
                <td>{confusion.expected}</td>
                <td>{confusion.got}</td>
                <td>{confusion.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function Config({ config }: { readonly config: ConfigResult }) {
  const { summary } = config;
  return (
    <div class="eval-config" data-config={config.name}>
      <h3>
        {config.name} <code>{config.model}</code> ({config.replyMode})
      </h3>
      <dl class="figures">
        <dt>Passed</dt>
        <dd data-testid="pass-rate">
          {summary.passed} / {summary.cases} ({percent(summary.passRate)})
        </dd>
        <dt>Escalated</dt>
        <dd>{percent(summary.escalationRate)}</dd>
        <dt>Latency p50 / p95</dt>
        <dd>
          {ms(summary.latencyP50Ms)} / {ms(summary.latencyP95Ms)}
        </dd>
        <dt>LLM calls (avoided)</dt>
        <dd>
          {summary.llmDecisions} ({summary.llmAvoided})
        </dd>
        <dt>Tokens in / out</dt>
        <dd>
          {summary.tokensIn} / {summary.tokensOut}
        </dd>
        <dt>Cost</dt>
        <dd>{usd(summary.costUsd)}</dd>
      </dl>
      {summary.nodes.map((node) => (
        <Node node={node} key={node.node} />
      ))}
      {config.cases.some((item) => !item.passed) && (
        <details>
          <summary>Failed cases</summary>
          <ul>
            {config.cases
              .filter((item) => !item.passed)
              .map((item) => (
                <li key={item.id}>
                  {item.id}: {item.failures.join("; ")}
                </li>
              ))}
          </ul>
        </details>
      )}
    </div>
  );
}

function Result({ id }: { readonly id: string }) {
  const { data, error } = useData<EvalResult>(`/api/evals/${encodeURIComponent(id)}`);
  if (data === undefined) return <Failure error={error} />;
  return (
    <article class="eval" data-eval={data.id}>
      <h2>
        {data.suite} <code>{data.id}</code>
      </h2>
      <p class="meta">
        {data.workflow} · {when(data.startedAt)} · {data.configs[0]?.summary.cases ?? 0} of{" "}
        {data.totalCases} cases
      </p>
      {data.configs.map((config) => (
        <Config config={config} key={config.name} />
      ))}
    </article>
  );
}

/** Eval results over time; one opened, or two side by side (`?compare=<id>`). */
export function EvalsPage({ route }: { readonly route: Route }) {
  const { data, error } = useData<{ evals: EvalResultSummary[] }>("/api/evals");
  const compare = route.query.get("compare") ?? undefined;
  return (
    <section>
      <h1>Evals</h1>
      <Failure error={error} />
      <table class="evals">
        <thead>
          <tr>
            <th>Result</th>
            <th>Suite</th>
            <th>Started</th>
            <th>Pass rate</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {data?.evals.map((result) => (
            <tr key={result.id} data-eval-id={result.id}>
              <td>
                <a href={href("evals", result.id)}>{result.id}</a>
              </td>
              <td>{result.suite}</td>
              <td>{when(result.startedAt)}</td>
              <td>
                {result.configs
                  .map((config) => `${config.name} ${percent(config.summary.passRate)}`)
                  .join(", ")}
              </td>
              <td>
                {route.id !== undefined && route.id !== result.id && (
                  <a href={href("evals", route.id, new URLSearchParams({ compare: result.id }))}>
                    compare
                  </a>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {data?.evals.length === 0 && <p class="empty">No eval results yet: run signalbox eval.</p>}
      <div class={compare ? "columns" : ""}>
        {route.id !== undefined && <Result id={route.id} />}
        {compare !== undefined && <Result id={compare} />}
      </div>
    </section>
  );
}
