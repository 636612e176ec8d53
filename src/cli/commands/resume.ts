import { type RegisterCommand, withRuntime, write } from "../cli-io.ts";
import { resolveRunId } from "../run-id.ts";
import { progress, report } from "../run-output.ts";

/** `signalbox resume <run>` and `signalbox recover`: drive here what stopped workers left. */
export const registerResume: RegisterCommand = (program, io) => {
  program
    .command("resume <run>")
    .description("continue a run left running by a process that stopped")
    .option("--json", "print JSON")
    .action(async (text: string, options: { json?: boolean }) =>
      withRuntime(io, program, async (runtime) => {
        const runId = await resolveRunId(runtime.store, text);
        await runtime.resume(runId, { onEvent: progress(io, options.json === true) });
        await report(io, runtime.store, runId, options.json === true);
      }),
    );

  program
    .command("recover")
    .description(
      "drive here every run whose worker stopped (lease ran out) or that waits in the queue, and expire overdue approvals",
    )
    .action(async () =>
      withRuntime(io, program, async (runtime) => {
        const runs = await runtime.recover({ onEvent: progress(io, false) });
        write(
          io,
          runs.length === 0
            ? "nothing to recover"
            : runs.map((run) => `${run.id}  ${run.status}`).join("\n"),
        );
      }),
    );
};
