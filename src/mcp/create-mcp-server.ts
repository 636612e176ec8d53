import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv";
import type {
  JsonSchemaType,
  jsonSchemaValidator,
} from "@modelcontextprotocol/sdk/validation/types.js";
import type { Logger } from "pino";
import packageJson from "../../package.json" with { type: "json" };
import { ErrorCode, SignalboxError } from "../errors.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { ClientLogLevel } from "./client-log-level.ts";
import { clientLabel, type McpContext } from "./mcp-context.ts";
import { registerResources } from "./resources.ts";
import { RunTaskStore } from "./run-task-store.ts";
import { RUN_TOOL_NAMES, registerRunTools } from "./run-tools.ts";
import { registerWorkflowTool } from "./workflow-tools.ts";

/** Options for {@link createMcpServer}. */
export interface CreateMcpServerOptions {
  /** Where the adapter logs (never stdout); default: the runtime's logger. */
  readonly logger?: Logger;
  /** How often task clients should poll tasks/get (ms). Default 1000. */
  readonly taskPollIntervalMs?: number;
}

const INSTRUCTIONS = `signalbox runs durable workflows and records why each run went where it went.
Each workflow is a tool: call it to run the workflow; the result has the run id, status, output and the decision path.
A run that needs a human approval returns status "waiting": decide it with approve_run (or the user is asked inline if this client supports forms).
Inspect runs with list_runs and get_run, preview with dry_run, stop with cancel_run.
Clients that support MCP tasks may call a workflow tool as a task: the task id is the run id; a task in input_required waits for approve_run.
Resources: signalbox://runs/{runId} (run JSON with its decision log), signalbox://runs/{runId}/graph and signalbox://workflows/{name}/graph (Mermaid).`;

function assertNoClash(runtime: Runtime): void {
  const clashes = runtime.workflows.names().filter((name) => RUN_TOOL_NAMES.includes(name));
  if (clashes.length > 0)
    throw new SignalboxError(
      ErrorCode.WorkflowInvalid,
      `workflow name(s) ${clashes.join(", ")} clash with signalbox's MCP run tools (${RUN_TOOL_NAMES.join(", ")}); rename the workflow(s)`,
    );
}

/** What the server supports: logging, and tool calls as tasks (listed and cancellable). */
const CAPABILITIES = {
  logging: {},
  tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } },
};

/**
 * The SDK builds an Ajv instance for every server, to check elicitation answers; with
 * one server per HTTP session that was a quarter of opening a session (issue 12). This
 * one builds it when the session first elicits. Not shared between sessions: Ajv keeps
 * every schema it compiles.
 */
class LazyAjvValidator implements jsonSchemaValidator {
  private ajv: AjvJsonSchemaValidator | undefined;

  getValidator<T>(schema: JsonSchemaType) {
    this.ajv ??= new AjvJsonSchemaValidator();
    return this.ajv.getValidator<T>(schema);
  }
}

/**
 * Builds an MCP server over a runtime: every registered workflow as a tool (which
 * can also run as an MCP task, read from the run store), the run tools (list_runs,
 * get_run, approve_run, cancel_run, dry_run), run and workflow-graph resources,
 * progress, and log messages once the client sets a level with `logging/setLevel`. Connect it to one transport; for many sessions, build one
 * per session over the same runtime.
 *
 * @throws SignalboxError WORKFLOW_INVALID when a workflow is named like a run tool
 * @example
 * ```ts
 * const server = createMcpServer(runtime);
 * await server.connect(new StdioServerTransport());
 * ```
 */
export function createMcpServer(runtime: Runtime, options: CreateMcpServerOptions = {}): McpServer {
  assertNoClash(runtime);
  const taskStore = new RunTaskStore(runtime, {
    pollIntervalMs: options.taskPollIntervalMs,
    cancelledBy: () => clientLabel(context),
  });
  const server = new McpServer(
    { name: "signalbox", title: "signalbox", version: packageJson.version },
    {
      capabilities: CAPABILITIES,
      instructions: INSTRUCTIONS,
      taskStore,
      jsonSchemaValidator: new LazyAjvValidator(),
    },
  );
  const context: McpContext = {
    runtime,
    server,
    logger: options.logger ?? runtime.logger,
    clientLog: new ClientLogLevel(server.server),
    tasks: taskStore,
  };
  for (const workflow of runtime.workflows.list()) registerWorkflowTool(context, workflow);
  registerRunTools(context);
  registerResources(context);
  return server;
}
