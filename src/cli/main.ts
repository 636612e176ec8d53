import { CommanderError } from "commander";
import { errorMessage } from "../errors.ts";
import { ExitCode, exitCodeFor } from "./cli-error.ts";
import type { CliIo, GlobalFlags } from "./cli-io.ts";
import { createProgram } from "./program.ts";

/** The process's runtime and store, each module loaded only by the commands that need it. */
function processIo(environment: NodeJS.ProcessEnv): Omit<CliIo, "setExitCode"> {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    openRuntime: async (flags: GlobalFlags) => {
      const { openRuntime } = await import("./open-runtime.ts");
      return openRuntime(flags, environment);
    },
    openStore: async (flags: GlobalFlags) => {
      const { readSettings } = await import("./environment.ts");
      const { openStore } = await import("./open-store.ts");
      return (await openStore(readSettings(flags, environment))).store;
    },
  };
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function runCli(argv: readonly string[], io?: Partial<CliIo>): Promise<number> {
  let exitCode = 0;
  const full: CliIo = {
    ...processIo(process.env),
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
