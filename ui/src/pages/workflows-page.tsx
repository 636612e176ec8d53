import type { WorkflowView } from "../../../src/dashboard/workflow-view.ts";
import { json, usd } from "../format.ts";
import { GraphView } from "../graph-view.tsx";
import { href } from "../router.ts";
import { Failure, useData } from "../use-data.tsx";

function Workflow({ workflow }: { readonly workflow: WorkflowView }) {
  const { stats } = workflow;
  return (
    <article class="workflow" data-workflow={workflow.name}>
      <h2>
        {workflow.title} <code>{workflow.name}</code>
      </h2>
      <p>{workflow.description}</p>
      <p class="meta">
        Version {workflow.version}
        {workflow.versions.length > 1 ? ` (registered: ${workflow.versions.join(", ")})` : ""}
      </p>
      <p class="stats">
        Last 30 days:{" "}
        <a href={href("runs", undefined, new URLSearchParams({ workflow: workflow.name }))}>
          {stats.runs} runs
        </a>
        {Object.entries(stats.byStatus).map(([status, count]) => ` · ${status} ${count}`)} ·
        escalated {stats.escalated} · LLM calls {stats.llmCalls} (avoided {stats.llmAvoided}) · cost{" "}
        {usd(stats.costUsd)}
      </p>
      <div class="columns">
        <div class="graph-box">
          <GraphView graph={workflow.graph} />
        </div>
        <details>
          <summary>Input schema</summary>
          <pre>{json(workflow.inputSchema)}</pre>
        </details>
      </div>
    </article>
  );
}

export function WorkflowsPage() {
  const { data, error } = useData<{ workflows: WorkflowView[] }>("/api/workflows");
  return (
    <section>
      <h1>Workflows</h1>
      <Failure error={error} />
      {data?.workflows.map((workflow) => (
        <Workflow workflow={workflow} key={workflow.name} />
      ))}
    </section>
  );
}
