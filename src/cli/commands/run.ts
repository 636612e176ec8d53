import type { Runtime } from "../../runtime/runtime.ts";
import { type CliIo, type RegisterCommand, withRuntime, write } from "../cli-io.ts";
import { parseInput } from "../input.ts";
import { progress, report } from "../run-output.ts";

interface RunOptions {
  readonly input: string;
  readonly dryRun?: boolean;
  readonly detach?: boolean;
  readonly json?: boolean;
  readonly by?: string;
}

/** Who asks for the run: `--by`, else the login name; its approvals refuse that name by default. */
function requester(options: RunOptions): string | undefined {
  return options.by ?? process.env.USER ?? undefined;
}

/** Starts a run of `name` here (or queues it with --detach) and prints it. */
export async function runWorkflow(io: CliIo, runtime: Runtime, name: string, options: RunOptions) {
  const input = await parseInput(options.input, io.stdin);
  runtime.workflow(name);
  const json = options.json === true;
  if (options.detach) {
    const run = await runtime.start(name, input, {
      dryRun: options.dryRun ?? false,
      trigger: "cli",
      requestedBy: requester(options),
      detach: true,
    });
    return write(io, json ? JSON.stringify(run, null, 2) : run.id);
  }
  if (runtime.llm === undefined && !json)
    io.stderr.write(
      "model: offline (local classifier, no LLM); set SIGNALBOX_MODEL or --model to use one\n",
    );
  const run = await runtime.start(name, input, {
    dryRun: options.dryRun ?? false,
    trigger: "cli",
    requestedBy: requester(options),
    onEvent: progress(io, json),
  });
  await report(io, runtime.store, run.id, json);
}

/** `signalbox run <workflow>`: runs a workflow here and prints its result and decision path. */
export const registerRun: RegisterCommand = (program, io) => {
  program
    .command("run <workflow>")
    .description("run a workflow and print its result and decision path")
    .requiredOption(
      "--input <json|@file|@->",
      "the workflow input as JSON, @file, or @- to read standard input",
    )
    .option("--dry-run", "perform no write effects; print the plan of those it would perform")
    .option("--detach", "queue the run for a worker, print its id and return at once")
    .option("--by <name>", "who asks for the run (default: $USER); they cannot approve it too")
    .option("--json", "print the run as JSON")
    .action(async (name: string, options: RunOptions) =>
      withRuntime(io, program, (runtime) => runWorkflow(io, runtime, name, options)),
    );
};
