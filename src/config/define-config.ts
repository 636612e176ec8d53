import { z } from "zod";
import type { CompiledWorkflow } from "../graph/workflow.ts";
import type { Tool } from "../tools/define-tool.ts";
import type { McpServerConfig } from "../tools/mcp-config.ts";
import type { ToolRegistry } from "../tools/tool-registry.ts";
import { type TriggersConfig, TriggersConfigSchema } from "../triggers/trigger-config.ts";

/** What a `workflows` function is given to build the project's workflows with. */
export interface WorkflowContext {
  /** The data directory (for a workflow's own files, like the demo's `support.db`). */
  readonly home: string;
  /** The config's `tools`, for agents that name their allow-list (`registry`). */
  readonly tools: ToolRegistry;
  /**
   * The config's `tools` plus those of its `mcpServers`, connecting to the servers
   * (once) when called; they are stopped when the runtime closes.
   */
  mcpTools(): Promise<ToolRegistry>;
}

/** The workflows a project hosts: compiled workflows, or a function that builds them. */
export type ConfigWorkflows =
  | readonly CompiledWorkflow[]
  | ((
      context: WorkflowContext,
    ) => readonly CompiledWorkflow[] | Promise<readonly CompiledWorkflow[]>);

/** `signalbox.config.ts`: what every signalbox command of a project hosts and how. */
export interface SignalboxConfig {
  /** The workflows `run`, `mcp`, `serve`, `chat`, `eval` and the rest host. */
  readonly workflows: ConfigWorkflows;
  /** Tools of your own, for agents that list tools by name. */
  readonly tools?: readonly Tool[];
  /** External MCP servers whose tools agents may use (the entries of `mcp-servers.json`). */
  readonly mcpServers?: readonly McpServerConfig[];
  /** The model: `offline`, `openai:<model>` or `openai-compatible:<model>@<baseURL>`. --model and SIGNALBOX_MODEL win. */
  readonly model?: string;
  /** Takes over when `model` is unavailable. SIGNALBOX_FALLBACK_MODEL wins. */
  readonly fallbackModel?: string;
  readonly store?: {
    /** The data directory, relative to the config file. --home and SIGNALBOX_HOME win. Default `.signalbox`. */
    readonly home?: string;
    /** PostgreSQL instead of SQLite in the home. --database-url and SIGNALBOX_DATABASE_URL win. */
    readonly databaseUrl?: string;
    /**
     * Automatic pruning while a worker runs (`serve`, `worker`): settled runs last changed
     * longer ago than `olderThan`, eval dry-runs after `evalOlderThan` (ages like `30d`, `12h`).
     */
    readonly retention?: { readonly olderThan?: string; readonly evalOlderThan?: string };
  };
  /**
   * What starts runs on its own, per workflow: webhooks (`POST /hooks/<name>` on
   * `serve`), cron schedules and watched folders (on every `serve` and `worker`).
   */
  readonly triggers?: TriggersConfig;
  /** Defaults for `signalbox serve`; its flags win. */
  readonly server?: {
    readonly host?: string;
    readonly port?: number;
    readonly allowedHosts?: readonly string[];
  };
}

/**
 * Types a project's configuration; signalbox validates it when it loads the file.
 *
 * @example
 * ```ts
 * // signalbox.config.ts
 * import { defineConfig } from "signalbox";
 * import { refundCheck } from "./src/refund-check.ts";
 *
 * export default defineConfig({
 *   workflows: ({ home }) => [refundCheck({ home })],
 *   model: "offline",
 * });
 * ```
 */
export function defineConfig(config: SignalboxConfig): SignalboxConfig {
  return config;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null;

/** Structural, not `instanceof`: the config may load its own copy of signalbox. */
const isCompiledWorkflow = (value: unknown): value is CompiledWorkflow =>
  isObject(value) &&
  typeof value.name === "string" &&
  typeof value.version === "string" &&
  typeof value.graph === "function" &&
  typeof value.parseInput === "function";

const AGE = /^\d+[mhd]$/;
const AGE_ERROR = "expected an age such as 30d, 12h or 90m (days, hours, minutes)";
const NOT_COMPILED = "expected a compiled workflow: defineWorkflow({ … }).…compile()";

export const CompiledWorkflowShape = z.custom<CompiledWorkflow>(isCompiledWorkflow, {
  error: NOT_COMPILED,
});

/** An array of compiled workflows (each bad entry named by index), or a function. */
const WorkflowsShape = z
  .custom<ConfigWorkflows>((value) => typeof value === "function" || Array.isArray(value), {
    error: "expected an array of compiled workflows, or a function returning one",
  })
  .superRefine((value, context) => {
    if (typeof value === "function") return;
    value.forEach((workflow, index) => {
      if (!isCompiledWorkflow(workflow))
        context.addIssue({ code: "custom", path: [index], message: NOT_COMPILED });
    });
  });

const ToolShape = z.custom<Tool>(
  (value) =>
    isObject(value) && typeof value.name === "string" && typeof value.description === "string",
  { error: "expected a tool made with defineTool({ … })" },
);

/** The schema `signalbox.config.*` is checked against when loaded; errors name the key. */
export const SignalboxConfigSchema = z.strictObject({
  workflows: WorkflowsShape,
  tools: z.array(ToolShape).optional(),
  mcpServers: z.array(z.unknown()).optional(),
  model: z.string().min(1).optional(),
  fallbackModel: z.string().min(1).optional(),
  store: z
    .strictObject({
      home: z.string().min(1).optional(),
      databaseUrl: z
        .string()
        .regex(/^postgres(ql)?:\/\//, "expected a PostgreSQL URL such as postgresql://user@host/db")
        .optional(),
      retention: z
        .strictObject({
          olderThan: z.string().regex(AGE, AGE_ERROR).optional(),
          evalOlderThan: z.string().regex(AGE, AGE_ERROR).optional(),
        })
        .optional(),
    })
    .optional(),
  triggers: TriggersConfigSchema.optional(),
  server: z
    .strictObject({
      host: z.string().min(1).optional(),
      port: z.number().int().min(0).max(65_535).optional(),
      allowedHosts: z.array(z.string().min(1)).optional(),
    })
    .optional(),
});
