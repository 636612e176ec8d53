import { type RegisterCommand, withStore, write } from "../cli-io.ts";
import { parseShare, parseSince } from "../since.ts";

/** `signalbox drift`: per route, how the branch mix moved across decider, threshold and version changes. */
export const registerDrift: RegisterCommand = (program, io) => {
  program
    .command("drift")
    .description(
      "per route, the branch mix before and after each change of model, threshold or workflow version; ALERT above the threshold (exit 1)",
    )
    .option("--workflow <name>", "only runs of this workflow")
    .option("--since <age|time>", "only decisions since (7d, 12h, or an ISO time)", (value) =>
      parseSince(value),
    )
    .option("--threshold <share>", "alert from this total variation distance", parseShare, 0.2)
    .option("--json", "print JSON")
    .action(
      async (options: { workflow?: string; since?: string; threshold: number; json?: boolean }) =>
        withStore(io, program, async (store) => {
          const { detectDrift } = await import("../../analytics/drift.ts");
          const { renderDrift } = await import("../analytics-render.ts");
          const decisions = await store.listDecisions({
            workflow: options.workflow,
            since: options.since,
          });
          const runs = await store.listRuns({ workflow: options.workflow, limit: 100_000 });
          const versions = new Map(runs.map((run) => [run.id, run.version]));
          const changes = detectDrift(decisions, {
            threshold: options.threshold,
            versionOf: (runId) => versions.get(runId),
          });
          write(io, options.json ? JSON.stringify(changes, null, 2) : renderDrift(changes));
          if (changes.some((change) => change.alert)) io.setExitCode(1);
        }),
    );
};
