import { Option } from "commander";
import { RUN_STATUSES, type RunStatus } from "../../store/types.ts";
import { positiveInt, type RegisterCommand, withStore, write } from "../cli-io.ts";

interface RunsOptions {
  readonly status?: RunStatus;
  readonly workflow?: string;
  readonly limit: number;
  readonly json?: boolean;
  readonly includeEval?: boolean;
}

/** Runs `signalbox eval` starts (dry-runs, trigger `eval`): hidden from `runs` unless asked for. */
export const EVAL_TRIGGER = "eval";

/** `signalbox runs`: runs, newest first, read from the store alone. */
export const registerRuns: RegisterCommand = (program, io) => {
  program
    .command("runs")
    .description("list runs, newest first")
    .addOption(new Option("--status <status>", "only runs with this status").choices(RUN_STATUSES))
    .option("--workflow <name>", "only runs of this workflow")
    .option("--limit <n>", "at most this many", positiveInt, 20)
    .option("--include-eval", "also list the dry-runs `signalbox eval` made")
    .option("--json", "print JSON")
    .action(async (options: RunsOptions) =>
      withStore(io, program, async (store) => {
        const runs = await store.listRuns({
          status: options.status,
          workflow: options.workflow,
          limit: options.limit,
          excludeTriggers: options.includeEval ? undefined : [EVAL_TRIGGER],
        });
        if (options.json) return write(io, JSON.stringify(runs, null, 2));
        const line = (run: (typeof runs)[number]) =>
          `${run.id}  ${run.status.padEnd(11)} ${run.workflow}  ${run.createdAt}${run.dryRun ? "  dry-run" : ""}`;
        write(io, runs.length === 0 ? "no runs" : runs.map(line).join("\n"));
      }),
    );
};
