import { positiveInt, type RegisterCommand, withStore, write } from "../cli-io.ts";
import { parseSince } from "../since.ts";

/** `signalbox paths`: runs grouped by the way they went, with how each way ended. */
export const registerPaths: RegisterCommand = (program, io) => {
  program
    .command("paths")
    .description(
      "group runs by path signature (node → branch sequence): per path count, succeeded, failed, escalated, corrected, latency, cost",
    )
    .option("--workflow <name>", "only runs of this workflow")
    .option("--since <age|time>", "only runs created since (7d, 12h, or an ISO time)", (value) =>
      parseSince(value),
    )
    .option("--limit <n>", "read at most this many runs", positiveInt, 10_000)
    .option("--json", "print JSON")
    .action(async (options: { workflow?: string; since?: string; limit: number; json?: boolean }) =>
      withStore(io, program, async (store) => {
        const { pathOutcomes } = await import("../../analytics/path-outcomes.ts");
        const { renderPaths } = await import("../analytics-render.ts");
        const paths = await pathOutcomes(store, {
          workflow: options.workflow,
          since: options.since,
          limit: options.limit,
        });
        write(io, options.json ? JSON.stringify(paths, null, 2) : renderPaths(paths));
      }),
    );
};
