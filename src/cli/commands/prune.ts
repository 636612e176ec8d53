import { InvalidArgumentError, Option } from "commander";
import { parseAge } from "../../runtime/retention.ts";
import { PRUNABLE_STATUSES, type PrunableStatus } from "../../store/types.ts";
import { positiveInt, type RegisterCommand, withStore, write } from "../cli-io.ts";
import { EVAL_TRIGGER } from "./runs.ts";

interface PruneOptions {
  readonly olderThan?: number;
  readonly status?: PrunableStatus[];
  readonly workflow?: string;
  readonly eval?: boolean;
  readonly dryRun?: boolean;
  readonly batch: number;
}

/** `30d`, `12h`, `90m` → milliseconds, as a commander argument parser. */
function ageArgument(value: string): number {
  try {
    return parseAge(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message.replace(/^age: /, ""));
  }
}

const SETTLED: PrunableStatus[] = ["succeeded", "failed", "cancelled", "compensated"];

/** `signalbox prune`: removes old runs and everything of theirs from the store. */
export const registerPrune: RegisterCommand = (program, io) => {
  program
    .command("prune")
    .description(
      "remove runs with their decisions, effects, approvals, events and checkpoints (default: every settled run)",
    )
    .option(
      "--older-than <age>",
      "only runs last changed longer ago than this (30d, 12h, 90m)",
      ageArgument,
    )
    .addOption(
      new Option(
        "--status <status...>",
        "only runs with these statuses (waiting ones only when named)",
      ).choices(PRUNABLE_STATUSES),
    )
    .option("--workflow <name>", "only runs of this workflow")
    .option("--eval", "only the dry-runs `signalbox eval` made")
    .option("--dry-run", "count what would be removed, remove nothing")
    .option("--batch <n>", "runs removed per transaction", positiveInt, 500)
    .action(async (options: PruneOptions) =>
      withStore(io, program, async (store) => {
        const before =
          options.olderThan === undefined
            ? undefined
            : new Date(Date.now() - options.olderThan).toISOString();
        const { runs } = await store.pruneRuns({
          statuses: options.status ?? SETTLED,
          before,
          workflow: options.workflow,
          trigger: options.eval ? EVAL_TRIGGER : undefined,
          batchSize: options.batch,
          dryRun: options.dryRun,
        });
        const what = runs === 1 ? "1 run" : `${runs} runs`;
        write(io, options.dryRun ? `would remove ${what}` : `removed ${what}`);
      }),
    );
};
