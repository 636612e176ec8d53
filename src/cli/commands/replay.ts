import { type GlobalFlags, positiveInt, type RegisterCommand } from "../cli-io.ts";
import type { ReplayOptions } from "../replay-action.ts";
import { parseShare, parseSince } from "../since.ts";

/** `signalbox replay`: counterfactual replay of recorded route decisions. */
export const registerReplay: RegisterCommand = (program, io) => {
  program
    .command("replay")
    .description(
      "ask recorded route decisions again with another decider (--threshold, --classifier, or the global --model) and report flips, old → new confusion, escalations, tokens and latency; no step, tool or effect runs",
    )
    .option("--workflow <name>", "only decisions of runs of this workflow")
    .option("--node <name>", "only decisions of this route")
    .option("--since <age|time>", "only decisions made since (7d, 12h, or an ISO time)", (value) =>
      parseSince(value),
    )
    .option(
      "--threshold <share>",
      "a new minimum confidence: below it the route escalates",
      parseShare,
    )
    .option(
      "--classifier <labels.jsonl>",
      "retrain the offline classifier with these labelled examples (signalbox labels export) and ask it",
    )
    .option(
      "--fixture <file>",
      "with --model: LLM replies on file, replayed (or written with --record)",
    )
    .option("--record", "with --model and --fixture: call the model and record its replies")
    .option("--limit <n>", "at most this many decisions", positiveInt)
    .option("--json", "print JSON")
    .action(async (options: ReplayOptions) => {
      const { replayAction } = await import("../replay-action.ts");
      await replayAction(io, program.opts<GlobalFlags>(), options);
    });
};
