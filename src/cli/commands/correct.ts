import { type RegisterCommand, withStore, write } from "../cli-io.ts";

/** `signalbox correct <run> <node> --branch <b>`: a reviewer says where a route should have gone. */
export const registerCorrect: RegisterCommand = (program, io) => {
  program
    .command("correct <run> <node>")
    .description(
      "mark a route decision wrong and give the right branch: recorded as a human decision linked to the original (counted in paths, exported by labels export)",
    )
    .requiredOption("--branch <branch>", "the branch the route should have taken")
    .option("--note <text>", "why")
    .option("--by <name>", "who corrects", "reviewer")
    .option("--json", "print JSON")
    .action(
      async (
        runId: string,
        node: string,
        options: { branch: string; note?: string; by: string; json?: boolean },
      ) =>
        withStore(io, program, async (store) => {
          const { resolveRunId } = await import("../run-id.ts");
          const { recordCorrection } = await import("../../analytics/corrections.ts");
          const correction = await recordCorrection(store, {
            runId: await resolveRunId(store, runId),
            node,
            branch: options.branch,
            note: options.note,
            by: options.by,
          });
          write(
            io,
            options.json
              ? JSON.stringify(correction, null, 2)
              : `${correction.node}: ${correction.reason} (${correction.key})`,
          );
        }),
    );
};
