import { join, resolve } from "node:path";
import { type LoadedConfig, loadConfig } from "../config/load-config.ts";
import type { GlobalFlags } from "./cli-io.ts";
import { type CliSettings, readSettings } from "./environment.ts";

/** The project a command runs in: its config (if any) and the settings it leads to. */
export interface Project {
  readonly loaded: LoadedConfig | undefined;
  readonly settings: CliSettings;
}

/**
 * Loads the config (`--config`, else the first `signalbox.config.*` from `cwd` upward)
 * and resolves the settings: flags, then environment variables, then the config.
 * With a config, the data directory defaults to `.signalbox` beside it.
 * @throws SignalboxError CONFIG_INVALID naming the file and key, or the variable
 */
export async function openProject(
  flags: GlobalFlags,
  environment: NodeJS.ProcessEnv,
  cwd = process.cwd(),
): Promise<Project> {
  const loaded = await loadConfig({ path: flags.config, cwd, environment });
  return projectSettings(loaded, flags, environment);
}

/** The settings of a project whose config is loaded (or absent). */
export function projectSettings(
  loaded: LoadedConfig | undefined,
  flags: GlobalFlags,
  environment: NodeJS.ProcessEnv,
): Project {
  if (loaded === undefined) return { loaded, settings: readSettings(flags, environment) };
  const { config, directory } = loaded;
  const settings = readSettings(flags, environment, {
    home: resolve(directory, config.store?.home ?? join(directory, ".signalbox")),
    model: config.model,
    fallbackModel: config.fallbackModel,
    databaseUrl: config.store?.databaseUrl,
  });
  return { loaded, settings };
}
