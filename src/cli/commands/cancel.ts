import { type RegisterCommand, withRuntime, write } from "../cli-io.ts";
import { resolveRunId } from "../run-id.ts";

/** `signalbox cancel <run>`: cancels an unfinished run, wherever it is driven. */
export const registerCancel: RegisterCommand = (program, io) => {
  program
    .command("cancel <run>")
    .description("cancel a run that has not finished")
    .option("--reason <text>", "why")
    .action(async (text: string, options: { reason?: string }) =>
      withRuntime(io, program, async (runtime) => {
        const runId = await resolveRunId(runtime.store, text);
        const run = await runtime.cancel(runId, options.reason ?? "cancelled from the CLI");
        write(io, `${run.id}  ${run.status}`);
      }),
    );
};
