import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { ErrorCode, errorMessage, SignalboxError } from "../errors.ts";
import type { CompiledWorkflow } from "../graph/workflow.ts";
import { importDefault } from "../import-module.ts";
import type { McpServersConfig } from "../tools/mcp-config.ts";
import { parseWith } from "../validation.ts";
import type { SignalboxConfig, WorkflowContext } from "./define-config.ts";

// The config's zod schemas (and zod itself) load only once there is a config to check:
// without one, `signalbox runs` and `show` import no zod (issue 10).

/** The names a project's config file may have, in the order they are looked for. */
export const CONFIG_FILE_NAMES = [
  "signalbox.config.ts",
  "signalbox.config.mts",
  "signalbox.config.js",
  "signalbox.config.mjs",
] as const;

/** A validated config and where it came from. */
export interface LoadedConfig {
  readonly file: string;
  /** The config file's directory: the project root, which relative paths start from. */
  readonly directory: string;
  readonly config: SignalboxConfig;
  /** `mcpServers`, validated (and `${VAR}` expanded), when the config lists any. */
  readonly mcpServers: McpServersConfig | undefined;
}

/** The first config file in `cwd` or a directory above it. */
export function findConfigFile(cwd: string): string | undefined {
  for (let directory = resolve(cwd); ; directory = dirname(directory)) {
    for (const name of CONFIG_FILE_NAMES) {
      const file = join(directory, name);
      if (existsSync(file)) return file;
    }
    if (dirname(directory) === directory) return undefined;
  }
}

export interface LoadConfigOptions {
  /** A config file to use (`--config`); else one is looked for from `cwd` upward. */
  readonly path?: string;
  readonly cwd: string;
  /** For `${VAR}` in `mcpServers`. */
  readonly environment: Readonly<Record<string, string | undefined>>;
}

/**
 * Finds, loads and validates the project's config; undefined when there is none.
 * TypeScript configs load through jiti, JavaScript natively.
 * @throws SignalboxError CONFIG_INVALID naming the file and the key
 */
export async function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig | undefined> {
  const file =
    options.path === undefined ? findConfigFile(options.cwd) : resolve(options.cwd, options.path);
  if (file === undefined) return undefined;
  if (!existsSync(file))
    throw new SignalboxError(ErrorCode.ConfigInvalid, `--config: no file at ${file}`);
  let raw: unknown;
  try {
    raw = await importDefault(file);
  } catch (error) {
    throw new SignalboxError(
      ErrorCode.ConfigInvalid,
      `cannot load ${file}: ${errorMessage(error)}`,
      {
        cause: error,
      },
    );
  }
  const { SignalboxConfigSchema } = await import("./define-config.ts");
  const config = parseWith(SignalboxConfigSchema, raw, ErrorCode.ConfigInvalid, file);
  const directory = dirname(file);
  const mcpServers =
    config.mcpServers === undefined
      ? undefined
      : (await import("../tools/mcp-config.ts")).parseMcpServersConfig(
          { servers: config.mcpServers },
          {
            source: `${file} mcpServers`,
            environment: options.environment,
            baseDirectory: directory,
          },
        );
  return { file, directory, config: config as SignalboxConfig, mcpServers };
}

/**
 * The config's workflows: its array, or what its function returns for `context`.
 * @throws SignalboxError CONFIG_INVALID when the function returns something else
 */
export async function configuredWorkflows(
  loaded: LoadedConfig,
  context: WorkflowContext,
): Promise<CompiledWorkflow[]> {
  const { workflows } = loaded.config;
  if (typeof workflows !== "function") return [...workflows];
  const built = await workflows(context);
  const [{ z }, { CompiledWorkflowShape }] = await Promise.all([
    import("zod"),
    import("./define-config.ts"),
  ]);
  return parseWith(
    z.array(CompiledWorkflowShape),
    built,
    ErrorCode.ConfigInvalid,
    `what workflows() returns in ${loaded.file}`,
  );
}
