import { InvalidArgumentError, Option } from "commander";
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

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30d`, `12h`, `90m` → milliseconds. */
export function parseAge(value: string): number {
  const match = /^(\d+)([mhd])$/.exec(value.trim());
  if (match === null)
    throw new InvalidArgumentError(
      "expected an age such as 30d, 12h or 90m (days, hours, minutes)",
    );
  return Number(match[1]) * (UNITS[match[2] as string] as number);
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
      parseAge,
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
