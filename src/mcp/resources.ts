import { ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { Variables } from "@modelcontextprotocol/sdk/shared/uriTemplate.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { ErrorCode, isSignalboxError } from "../errors.ts";
import { takenPath, toMermaid, withToolCalls } from "../graph/mermaid.ts";
import type { McpContext } from "./mcp-context.ts";

/** JSON-RPC code for an unknown resource (MCP spec). */
const RESOURCE_NOT_FOUND = -32002;
const LISTED_RUNS = 50;
const MERMAID = "text/vnd.mermaid";

const runUri = (runId: string) => `signalbox://runs/${encodeURIComponent(runId)}`;
const graphUri = (name: string) => `signalbox://workflows/${encodeURIComponent(name)}/graph`;

function variable(variables: Variables, name: string): string {
  const value = variables[name];
  return decodeURIComponent(Array.isArray(value) ? (value[0] ?? "") : (value ?? ""));
}

/** Runs a read, turning our not-found errors into the MCP resource-not-found error. */
async function reading<T>(uri: URL, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (
      isSignalboxError(error, ErrorCode.RunNotFound) ||
      isSignalboxError(error, ErrorCode.WorkflowNotFound)
    )
      throw new McpError(RESOURCE_NOT_FOUND, `resource ${uri.href} not found: ${error.message}`);
    throw error;
  }
}

/** A run with its workflow and the path it took through the graph. */
async function runWithPath(context: McpContext, runId: string) {
  const details = await context.runtime.get(runId);
  const workflow = context.runtime.workflow(details.run.workflow);
  const reachedEnd = details.run.status === "succeeded";
  const path = takenPath(workflow.nodes, workflow.start, details.decisions, reachedEnd);
  return { details, workflow, path };
}

function registerRunResource(context: McpContext): void {
  const { runtime } = context;
  const template = new ResourceTemplate("signalbox://runs/{runId}", {
    list: async () => ({
      resources: (await runtime.list({ limit: LISTED_RUNS })).map((run) => ({
        uri: runUri(run.id),
        name: `run ${run.id}`,
        title: `${run.workflow} run, ${run.status}`,
        description: `${run.workflow} run started ${run.createdAt}: ${run.status}${run.dryRun ? " (dry run)" : ""}`,
        mimeType: "application/json",
      })),
    }),
  });
  context.server.registerResource(
    "run",
    template,
    {
      title: "Workflow run",
      description: "One run as JSON: the run, its decision log, effects, approvals and taken path",
      mimeType: "application/json",
    },
    (uri, variables) =>
      reading(uri, async () => {
        const { details, path } = await runWithPath(context, variable(variables, "runId"));
        const text = JSON.stringify({ ...details, path }, null, 2);
        return { contents: [{ uri: uri.href, mimeType: "application/json", text }] };
      }),
  );
}

function registerRunGraphResource(context: McpContext): void {
  context.server.registerResource(
    "run-graph",
    new ResourceTemplate("signalbox://runs/{runId}/graph", { list: undefined }),
    {
      title: "Run graph",
      description: "The run's workflow as a Mermaid flowchart with the path it took highlighted",
      mimeType: MERMAID,
    },
    (uri, variables) =>
      reading(uri, async () => {
        const { details, workflow, path } = await runWithPath(
          context,
          variable(variables, "runId"),
        );
        const chart = toMermaid(workflow.nodes, workflow.start, path);
        const text = withToolCalls(chart, details.decisions);
        return { contents: [{ uri: uri.href, mimeType: MERMAID, text }] };
      }),
  );
}

function registerWorkflowGraphResource(context: McpContext): void {
  const { runtime } = context;
  const template = new ResourceTemplate("signalbox://workflows/{name}/graph", {
    list: async () => ({
      resources: runtime.workflows.list().map((workflow) => ({
        uri: graphUri(workflow.name),
        name: `${workflow.name} graph`,
        title: `${workflow.title} (graph)`,
        description: `The ${workflow.name} workflow as a Mermaid flowchart`,
        mimeType: MERMAID,
      })),
    }),
    complete: {
      name: (value) => runtime.workflows.names().filter((name) => name.startsWith(value)),
    },
  });
  context.server.registerResource(
    "workflow-graph",
    template,
    {
      title: "Workflow graph",
      description: "A workflow's graph as a Mermaid flowchart",
      mimeType: MERMAID,
    },
    (uri, variables) =>
      reading(uri, async () => {
        const workflow = runtime.workflow(variable(variables, "name"));
        const text = toMermaid(workflow.nodes, workflow.start);
        return { contents: [{ uri: uri.href, mimeType: MERMAID, text }] };
      }),
  );
}

/** Registers the run and workflow-graph resource templates (with listing). */
export function registerResources(context: McpContext): void {
  registerRunResource(context);
  registerRunGraphResource(context);
  registerWorkflowGraphResource(context);
}
