import { CommanderError } from "commander";
import type { LoadedConfig } from "../config/load-config.ts";
import { errorMessage } from "../errors.ts";
import { ExitCode, exitCodeFor } from "./cli-error.ts";
import type { CliIo, GlobalFlags } from "./cli-io.ts";
import { createProgram } from "./program.ts";
import type { Project } from "./project.ts";

/**
 * The process's runtime and store, each module loaded only by the commands that need
 * it; the project's config is loaded once per command.
 */
function processIo(
  environment: NodeJS.ProcessEnv,
  stderr: () => NodeJS.WritableStream,
): Omit<CliIo, "setExitCode"> {
  let loaded: Promise<LoadedConfig | undefined> | undefined;
  const openProjectOnce = async (flags: GlobalFlags): Promise<Project> => {
    const { loadConfig } = await import("../config/load-config.ts");
    const { projectSettings } = await import("./project.ts");
    loaded ??= loadConfig({ path: flags.config, cwd: process.cwd(), environment });
    return projectSettings(await loaded, flags, environment);
  };
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    openProject: openProjectOnce,
    openRuntime: async (flags: GlobalFlags) => {
      const { openRuntime } = await import("./open-runtime.ts");
      const notice = (text: string) => stderr().write(text);
      return openRuntime(flags, environment, { project: await openProjectOnce(flags), notice });
    },
    openStore: async (flags: GlobalFlags) => {
      const { openStore } = await import("./open-store.ts");
      return (await openStore((await openProjectOnce(flags)).settings)).store;
    },
  };
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function runCli(argv: readonly string[], io?: Partial<CliIo>): Promise<number> {
  let exitCode = 0;
  const full: CliIo = {
    ...processIo(process.env, () => full.stderr),
    setExitCode: (code) => {
      exitCode = code;
    },
    ...io,
  };
  const program = createProgram(full);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : ExitCode.Usage;
    full.stderr.write(`error: ${errorMessage(error)}\n`);
    return exitCodeFor(error);
  }
}
