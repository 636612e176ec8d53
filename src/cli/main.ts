import { CommanderError } from "commander";
import { errorMessage } from "../errors.ts";
import { ExitCode, exitCodeFor } from "./cli-error.ts";
import { openRuntime } from "./open-runtime.ts";
import { type CliIo, createProgram } from "./program.ts";

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function runCli(argv: readonly string[], io?: Partial<CliIo>): Promise<number> {
  let exitCode = 0;
  const full: CliIo = {
    stdout: process.stdout,
    stderr: process.stderr,
    openRuntime: (flags) => openRuntime(flags, process.env),
    setExitCode: (code) => {
      exitCode = code;
    },
    ...io,
  };
  const program = createProgram(full);
  program.configureOutput({
    writeOut: (text) => full.stdout.write(text),
    writeErr: (text) => full.stderr.write(text),
  });
  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : ExitCode.Usage;
    full.stderr.write(`error: ${errorMessage(error)}\n`);
    return exitCodeFor(error);
  }
}
