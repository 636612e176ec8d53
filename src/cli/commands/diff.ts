import { type RegisterCommand, withStore, write } from "../cli-io.ts";

/** `signalbox diff <runA> <runB>`: where two runs' decision paths part, and why. */
export const registerDiff: RegisterCommand = (program, io) => {
  program
    .command("diff <runA> <runB>")
    .description(
      "align two runs' decision paths (also across workflow versions) and show the first divergent decision: both reasons, scores and inputs",
    )
    .option("--json", "print JSON")
    .action(async (runA: string, runB: string, options: { json?: boolean }) =>
      withStore(io, program, async (store) => {
        const { readRunDetails } = await import("../run-output.ts");
        const { diffRuns } = await import("../../analytics/diff-runs.ts");
        const { renderDiff } = await import("../analytics-render.ts");
        const diff = diffRuns(await readRunDetails(store, runA), await readRunDetails(store, runB));
        write(
          io,
          options.json ? JSON.stringify(diff, null, 2) : renderDiff(diff, io.stdout.isTTY === true),
        );
      }),
    );
};
