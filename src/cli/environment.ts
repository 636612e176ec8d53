import { join, resolve } from "node:path";
import { z } from "zod";
import { ErrorCode } from "../errors.ts";
import type { ModelPrices } from "../models/chat-provider.ts";
import { type ModelSpec, parseModelSpec } from "../models/model-spec.ts";
import type { RateLimits } from "../models/rate-limiter.ts";
import { parseWith } from "../validation.ts";

const Environment = z.object({
  SIGNALBOX_HOME: z.string().min(1).optional(),
  SIGNALBOX_LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
    .optional(),
  SIGNALBOX_MODEL: z.string().min(1).optional(),
  SIGNALBOX_FALLBACK_MODEL: z.string().min(1).optional(),
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: z.url({ error: "expected a URL such as https://api.openai.com/v1" }).optional(),
  SIGNALBOX_MODEL_RPM: z.coerce.number().int().positive().optional(),
  SIGNALBOX_MODEL_TPM: z.coerce.number().int().positive().optional(),
  SIGNALBOX_MODEL_MAX_IN_FLIGHT: z.coerce.number().int().positive().optional(),
  SIGNALBOX_MODEL_PRICES: z
    .string()
    .regex(
      /^\d+(\.\d+)?,\d+(\.\d+)?$/,
      "expected '<input>,<output>' US dollars per million tokens, e.g. 0.4,1.6",
    )
    .optional(),
  SIGNALBOX_MCP_SERVERS: z.string().min(1).optional(),
  SIGNALBOX_MCP_DEPTH: z.coerce.number().int().min(0).optional(),
  SIGNALBOX_DATABASE_URL: z
    .string()
    .regex(
      /^postgres(ql)?:\/\//,
      "expected a PostgreSQL URL such as postgresql://user@host:5432/db",
    )
    .optional(),
  // Checked by the store (a lower-case identifier), which loads only when PostgreSQL is chosen.
  SIGNALBOX_DATABASE_SCHEMA: z.string().min(1).optional(),
  SIGNALBOX_SQLITE_SYNCHRONOUS: z
    .enum(["FULL", "NORMAL"], {
      error: "expected FULL (default: no acknowledged write lost on power loss) or NORMAL (faster)",
    })
    .optional(),
  SIGNALBOX_CHECKPOINT_HISTORY: z
    .enum(["latest", "full"], {
      error:
        "expected latest (default: a paused or finished run keeps its newest checkpoint) or full (every checkpoint, for time travel)",
    })
    .optional(),
  SIGNALBOX_WEBHOOK_SECRET: z
    .string()
    .regex(
      /^whsec_[A-Za-z0-9+/=]{16,}$/,
      "expected a Standard Webhooks secret: whsec_ followed by base64",
    )
    .optional(),
  SIGNALBOX_LEASE_MS: z.coerce
    .number()
    .int()
    .min(100, "expected at least 100 (milliseconds)")
    .optional(),
});

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
  const names = Object.keys(Environment.shape) as (keyof z.infer<typeof Environment>)[];
  const present = Object.fromEntries(names.map((name) => [name, environment[name] || undefined]));
  const parsed = parseWith(Environment, present, ErrorCode.ConfigInvalid, "environment");
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
      ? parseWith(
          Environment.shape.SIGNALBOX_DATABASE_URL,
          flags.databaseUrl,
          ErrorCode.ConfigInvalid,
          "--database-url",
        )
      : (parsed.SIGNALBOX_DATABASE_URL ?? project.databaseUrl),
    databaseSchema: parsed.SIGNALBOX_DATABASE_SCHEMA,
    leaseMs: parsed.SIGNALBOX_LEASE_MS,
    sqliteSynchronous: parsed.SIGNALBOX_SQLITE_SYNCHRONOUS,
    checkpointHistory: parsed.SIGNALBOX_CHECKPOINT_HISTORY,
  };
}
