import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { ErrorCode, SignalboxError } from "../errors.ts";
import { describeIssues } from "../validation.ts";

const NAME = /^[A-Za-z0-9_-]{1,32}$/;
const NAME_RULE = "expected 1-32 letters, digits, '_' or '-'";

/** Per-tool settings that win over what the server's annotations say. */
const McpToolOverride = z.strictObject({
  /** The effect class; default from the annotations (readOnlyHint → read, destructiveHint → irreversible, else write). */
  effect: z.enum(["pure", "read", "write", "irreversible"]).optional(),
  /** Pause the run for a human approval before each call; default false. */
  requiresApproval: z.boolean().optional(),
  /** `false` leaves the tool out entirely: no agent can be given it. Default true. */
  allow: z.boolean().optional(),
});

const commonFields = {
  name: z.string().regex(NAME, NAME_RULE),
  /** Tool names become `<prefix>__<tool>`; default the server's name; "" keeps the server's tool names. */
  prefix: z
    .string()
    .regex(/^[A-Za-z0-9_-]{0,32}$/, NAME_RULE)
    .optional(),
  /** Per-tool overrides, by the tool's name on the server. */
  tools: z.record(z.string(), McpToolOverride).optional(),
  /** Most time one call may take without progress (ms); default 60 000. */
  timeoutMs: z.number().int().positive().optional(),
};

const McpStdioServer = z.strictObject({
  ...commonFields,
  command: z.string().min(1),
  args: z.array(z.string()).optional(),
  env: z.record(z.string(), z.string()).optional(),
  cwd: z.string().min(1).optional(),
});

const McpHttpServer = z.strictObject({
  ...commonFields,
  url: z.url({
    protocol: /^https?$/,
    error: "expected an http(s) URL such as http://127.0.0.1:8765/mcp",
  }),
  headers: z.record(z.string(), z.string()).optional(),
});

/** Per-tool settings of an MCP server entry. */
export type McpToolOverride = z.infer<typeof McpToolOverride>;
/** An MCP server signalbox starts itself and talks to over stdio. */
export type McpStdioServerConfig = z.infer<typeof McpStdioServer>;
/** An MCP server reached over Streamable HTTP. */
export type McpHttpServerConfig = z.infer<typeof McpHttpServer>;
/** One entry of `mcp-servers.json`. */
export type McpServerConfig = McpStdioServerConfig | McpHttpServerConfig;
/** The whole configuration: `{ "servers": [ … ] }`. */
export interface McpServersConfig {
  readonly servers: readonly McpServerConfig[];
}

/** How {@link parseMcpServersConfig} reads values. */
export interface McpConfigSource {
  /** Named in error messages, e.g. the file's path. */
  readonly source?: string;
  /** When given, `${NAME}` in commands, args, env, cwd, URLs and headers is replaced from it. */
  readonly environment?: Readonly<Record<string, string | undefined>>;
  /** A relative `cwd` is resolved against this directory (the config file's). */
  readonly baseDirectory?: string;
}

function invalid(source: McpConfigSource, message: string, data: Record<string, unknown> = {}) {
  const where = source.source ? ` (${source.source})` : "";
  return new SignalboxError(
    ErrorCode.ConfigInvalid,
    `MCP server configuration${where}: ${message}`,
    {
      data,
    },
  );
}

function entryLabel(raw: unknown, index: number): string {
  const name = (raw as { name?: unknown } | null)?.name;
  return typeof name === "string" ? `server "${name}" (servers[${index}])` : `servers[${index}]`;
}

/** Replaces `${NAME}` from the environment; a missing variable is an error naming the field. */
function expand(text: string, field: string, source: McpConfigSource, label: string): string {
  const environment = source.environment;
  if (environment === undefined) return text;
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_match, variable: string) => {
    const value = environment[variable];
    if (value === undefined)
      throw invalid(source, `${label}: ${field} uses \${${variable}}, which is not set`);
    return value;
  });
}

function expandRecord(
  record: Readonly<Record<string, string>> | undefined,
  field: string,
  expandText: (text: string, field: string) => string,
): Record<string, string> | undefined {
  if (record === undefined) return undefined;
  return Object.fromEntries(
    Object.entries(record).map(([key, value]) => [key, expandText(value, `${field}.${key}`)]),
  );
}

function expandEntry(entry: McpServerConfig, source: McpConfigSource, label: string) {
  const text = (value: string, field: string) => expand(value, field, source, label);
  if ("url" in entry) {
    const url = text(entry.url, "url");
    if (!/^https?:\/\/./.test(url) || !URL.canParse(url))
      throw invalid(source, `${label}: url: "${url}" is not an http(s) URL`);
    return { ...entry, url, headers: expandRecord(entry.headers, "headers", text) };
  }
  const cwd = entry.cwd === undefined ? undefined : text(entry.cwd, "cwd");
  return {
    ...entry,
    command: text(entry.command, "command"),
    args: entry.args?.map((argument, index) => text(argument, `args[${index}]`)),
    env: expandRecord(entry.env, "env", text),
    cwd:
      cwd === undefined || isAbsolute(cwd) || source.baseDirectory === undefined
        ? cwd
        : resolve(source.baseDirectory, cwd),
  };
}

function parseEntry(raw: unknown, index: number, source: McpConfigSource): McpServerConfig {
  const label = entryLabel(raw, index);
  const fields = typeof raw === "object" && raw !== null ? raw : {};
  const isHttp = "url" in fields;
  if (isHttp === "command" in fields)
    throw invalid(
      source,
      `${label}: give either "command" (a server signalbox starts, over stdio) or "url" (Streamable HTTP)${isHttp ? ", not both" : ""}`,
    );
  const parsed = (isHttp ? McpHttpServer : McpStdioServer).safeParse(raw);
  if (!parsed.success)
    throw invalid(source, `${label}: ${describeIssues(parsed.error.issues)}`, {
      server: label,
      issues: parsed.error.issues,
    });
  return expandEntry(parsed.data, source, label);
}

/**
 * Validates an MCP servers configuration (`{ "servers": [ … ] }`), naming the
 * server and the field of every problem.
 *
 * @throws SignalboxError CONFIG_INVALID
 */
export function parseMcpServersConfig(
  value: unknown,
  source: McpConfigSource = {},
): McpServersConfig {
  const top = z.strictObject({ servers: z.array(z.unknown()) }).safeParse(value);
  if (!top.success)
    throw invalid(
      source,
      `${describeIssues(top.error.issues)}; expected { "servers": [ { "name", "command" | "url", … } ] }`,
    );
  const servers = top.data.servers.map((raw, index) => parseEntry(raw, index, source));
  const seen = new Set<string>();
  for (const server of servers) {
    if (seen.has(server.name))
      throw invalid(source, `two servers are named "${server.name}"; give each a unique name`);
    seen.add(server.name);
  }
  return { servers };
}

/**
 * Reads and validates an MCP servers file. A missing file is no servers
 * (`undefined`), unless `required`.
 *
 * @throws SignalboxError CONFIG_INVALID naming the file, the server and the field
 * @example
 * ```ts
 * const config = readMcpServersConfig(".signalbox/mcp-servers.json", { environment: process.env });
 * ```
 */
export function readMcpServersConfig(
  path: string,
  options: Pick<McpConfigSource, "environment"> & { readonly required?: boolean } = {},
): McpServersConfig | undefined {
  const source = { source: path, environment: options.environment, baseDirectory: dirname(path) };
  if (!existsSync(path)) {
    if (options.required) throw invalid(source, "the file does not exist");
    return undefined;
  }
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw invalid(source, `cannot read the file (${(error as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw invalid(source, `not valid JSON (${(error as Error).message})`);
  }
  return parseMcpServersConfig(json, source);
}
