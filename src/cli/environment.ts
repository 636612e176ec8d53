import { resolve } from "node:path";
import { z } from "zod";
import { ErrorCode } from "../errors.ts";
import { parseWith } from "../validation.ts";

const Environment = z.object({
  SIGNALBOX_HOME: z.string().min(1).optional(),
  SIGNALBOX_LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
    .optional(),
});

/** Settings read from the environment (the CLI is the only place that reads it). */
export interface CliSettings {
  readonly home: string;
  readonly logLevel: string;
}

/**
 * Resolves settings: flags win over environment variables, which win over defaults.
 * @throws SignalboxError CONFIG_INVALID naming the variable
 */
export function readSettings(
  flags: { home?: string; logLevel?: string },
  environment: NodeJS.ProcessEnv,
): CliSettings {
  const parsed = parseWith(
    Environment,
    {
      SIGNALBOX_HOME: environment.SIGNALBOX_HOME || undefined,
      SIGNALBOX_LOG_LEVEL: environment.SIGNALBOX_LOG_LEVEL || undefined,
    },
    ErrorCode.ConfigInvalid,
    "environment",
  );
  return {
    home: resolve(flags.home ?? parsed.SIGNALBOX_HOME ?? ".signalbox"),
    logLevel: flags.logLevel ?? parsed.SIGNALBOX_LOG_LEVEL ?? "warn",
  };
}
