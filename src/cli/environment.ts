import { join, resolve } from "node:path";
import { ErrorCode, SignalboxError } from "../errors.ts";
import type { ModelPrices } from "../models/chat-provider.ts";
import { type ModelSpec, parseModelSpec } from "../models/model-spec.ts";
import type { RateLimits } from "../models/rate-limiter.ts";
import { anyText, type Check, matching, oneOf, url, wholeNumber } from "./environment-checks.ts";

const DATABASE_URL = matching(
  /^postgres(ql)?:\/\//,
  "expected a PostgreSQL URL such as postgresql://user@host:5432/db",
);

/** The variables signalbox reads, in the order their errors are listed. */
const ENVIRONMENT = {
  SIGNALBOX_HOME: anyText,
  SIGNALBOX_LOG_LEVEL: oneOf(["fatal", "error", "warn", "info", "debug", "trace", "silent"]),
  SIGNALBOX_MODEL: anyText,
  SIGNALBOX_FALLBACK_MODEL: anyText,
  OPENAI_API_KEY: anyText,
  OPENAI_BASE_URL: url("expected a URL such as https://api.openai.com/v1"),
  SIGNALBOX_MODEL_RPM: wholeNumber({ minimum: 0, exclusive: true }),
  SIGNALBOX_MODEL_TPM: wholeNumber({ minimum: 0, exclusive: true }),
  SIGNALBOX_MODEL_MAX_IN_FLIGHT: wholeNumber({ minimum: 0, exclusive: true }),
  SIGNALBOX_MODEL_PRICES: matching(
    /^\d+(\.\d+)?,\d+(\.\d+)?$/,
    "expected '<input>,<output>' US dollars per million tokens, e.g. 0.4,1.6",
  ),
  SIGNALBOX_MCP_SERVERS: anyText,
  SIGNALBOX_MCP_DEPTH: wholeNumber({ minimum: 0 }),
  SIGNALBOX_DATABASE_URL: DATABASE_URL,
  // Checked by the store (a lower-case identifier), which loads only when PostgreSQL is chosen.
  SIGNALBOX_DATABASE_SCHEMA: anyText,
  SIGNALBOX_SQLITE_SYNCHRONOUS: oneOf(
    ["FULL", "NORMAL"],
    "expected FULL (default: no acknowledged write lost on power loss) or NORMAL (faster)",
  ),
  SIGNALBOX_CHECKPOINT_HISTORY: oneOf(
    ["latest", "full"],
    "expected latest (default: a paused or finished run keeps its newest checkpoint) or full (every checkpoint, for time travel)",
  ),
  SIGNALBOX_WEBHOOK_SECRET: matching(
    /^whsec_[A-Za-z0-9+/=]{16,}$/,
    "expected a Standard Webhooks secret: whsec_ followed by base64",
  ),
  SIGNALBOX_LEASE_MS: wholeNumber({
    minimum: 100,
    message: "expected at least 100 (milliseconds)",
  }),
} satisfies Record<string, Check<unknown>>;

type Environment = {
  readonly [Name in keyof typeof ENVIRONMENT]?: (typeof ENVIRONMENT)[Name] extends Check<infer T>
    ? T
    : never;
};

/** An environment variable that is wrong, and what was expected. */
export interface EnvironmentIssue {
  /** The variable; empty for a flag's value. */
  readonly path: readonly string[];
  readonly message: string;
}

function invalid(what: string, issues: readonly EnvironmentIssue[]): SignalboxError {
  const lines = issues.map((issue) => `${issue.path[0] ?? "(root)"}: ${issue.message}`).join("; ");
  return new SignalboxError(ErrorCode.ConfigInvalid, `${what} is invalid: ${lines}`, {
    data: { issues },
  });
}

/**
 * Reads the variables signalbox knows (an empty one counts as unset).
 * @throws SignalboxError CONFIG_INVALID naming every bad variable and what was expected
 */
function readEnvironment(environment: NodeJS.ProcessEnv): Environment {
  const values: Record<string, unknown> = {};
  const issues: EnvironmentIssue[] = [];
  for (const [name, check] of Object.entries(ENVIRONMENT) as [string, Check<unknown>][]) {
    const text = environment[name];
    if (!text) continue;
    const result = check(text);
    if ("messages" in result)
      issues.push(...result.messages.map((message) => ({ path: [name], message })));
    else values[name] = result.value;
  }
  if (issues.length > 0) throw invalid("environment", issues);
  return values as Environment;
}

/** `--database-url`, checked as SIGNALBOX_DATABASE_URL is. */
function databaseUrlFlag(text: string): string {
  const result = DATABASE_URL(text);
  if ("messages" in result)
    throw invalid(
      "--database-url",
      result.messages.map((message) => ({ path: [], message })),
    );
  return result.value;
}

function parsePrices(text: string | undefined): ModelPrices | undefined {
  if (text === undefined) return undefined;
  const [input, output] = text.split(",").map(Number);
  return { inputPerMillion: input ?? 0, outputPerMillion: output ?? 0 };
}

/** Settings read from the environment (the CLI is the only place that reads it). */
export interface CliSettings {
  readonly home: string;
  readonly logLevel: string;
  readonly model: ModelSpec;
  readonly fallbackModel: ModelSpec | undefined;
  readonly apiKey: string | undefined;
  readonly baseURL: string | undefined;
  readonly limits: RateLimits;
  readonly prices: ModelPrices | undefined;
  /** The MCP servers file; `required` when named by SIGNALBOX_MCP_SERVERS (else `<home>/mcp-servers.json`, if present). */
  readonly mcpServers: { readonly path: string; readonly required: boolean };
  /** How deep this process sits in a chain of signalbox processes started as MCP servers by each other. */
  readonly mcpDepth: number;
  /** PostgreSQL instead of the SQLite file in the data directory, when set. */
  readonly databaseUrl: string | undefined;
  /** The PostgreSQL schema for the store (the queue's goes in `<schema>_worker`); default `signalbox`. */
  readonly databaseSchema: string | undefined;
  /** How long a worker's claim on a run holds without renewal. */
  readonly leaseMs: number | undefined;
  /** SQLite durability: FULL (default) or NORMAL. */
  readonly sqliteSynchronous: "FULL" | "NORMAL" | undefined;
  /** Checkpoints a paused or finished run keeps: its newest (default) or all. */
  readonly checkpointHistory: "latest" | "full" | undefined;
  /** The secret of the demo webhook `support` (no config only). */
  readonly webhookSecret: string | undefined;
}

/** What a project's config file sets (below flags and environment variables). */
export interface ProjectDefaults {
  /** An absolute path. */
  readonly home?: string;
  readonly model?: string;
  readonly fallbackModel?: string;
  readonly databaseUrl?: string;
}

/**
 * Resolves settings: flags win over environment variables, which win over the
 * project's config, which wins over defaults.
 * @throws SignalboxError CONFIG_INVALID naming the variable
 */
export function readSettings(
  flags: { home?: string; logLevel?: string; model?: string; databaseUrl?: string },
  environment: NodeJS.ProcessEnv,
  project: ProjectDefaults = {},
): CliSettings {
  const parsed = readEnvironment(environment);
  const modelName = flags.model ?? parsed.SIGNALBOX_MODEL ?? project.model ?? "offline";
  const home = resolve(flags.home ?? parsed.SIGNALBOX_HOME ?? project.home ?? ".signalbox");
  const fallback = parsed.SIGNALBOX_FALLBACK_MODEL ?? project.fallbackModel;
  return {
    home,
    logLevel: flags.logLevel ?? parsed.SIGNALBOX_LOG_LEVEL ?? "warn",
    model: parseModelSpec(
      modelName,
      flags.model
        ? "--model"
        : parsed.SIGNALBOX_MODEL
          ? "SIGNALBOX_MODEL"
          : project.model
            ? "the config's model"
            : "model",
    ),
    fallbackModel: fallback
      ? parseModelSpec(
          fallback,
          parsed.SIGNALBOX_FALLBACK_MODEL
            ? "SIGNALBOX_FALLBACK_MODEL"
            : "the config's fallbackModel",
        )
      : undefined,
    apiKey: parsed.OPENAI_API_KEY,
    baseURL: parsed.OPENAI_BASE_URL,
    limits: {
      requestsPerMinute: parsed.SIGNALBOX_MODEL_RPM,
      tokensPerMinute: parsed.SIGNALBOX_MODEL_TPM,
      maxInFlight: parsed.SIGNALBOX_MODEL_MAX_IN_FLIGHT,
    },
    prices: parsePrices(parsed.SIGNALBOX_MODEL_PRICES),
    webhookSecret: parsed.SIGNALBOX_WEBHOOK_SECRET,
    mcpServers: {
      path: resolve(parsed.SIGNALBOX_MCP_SERVERS ?? join(home, "mcp-servers.json")),
      required: parsed.SIGNALBOX_MCP_SERVERS !== undefined,
    },
    mcpDepth: parsed.SIGNALBOX_MCP_DEPTH ?? 0,
    databaseUrl: flags.databaseUrl
      ? databaseUrlFlag(flags.databaseUrl)
      : (parsed.SIGNALBOX_DATABASE_URL ?? project.databaseUrl),
    databaseSchema: parsed.SIGNALBOX_DATABASE_SCHEMA,
    leaseMs: parsed.SIGNALBOX_LEASE_MS,
    sqliteSynchronous: parsed.SIGNALBOX_SQLITE_SYNCHRONOUS,
    checkpointHistory: parsed.SIGNALBOX_CHECKPOINT_HISTORY,
  };
}
