import { type GlobalFlags, positiveInt, type RegisterCommand } from "../cli-io.ts";
import type { EvalOptions } from "../eval-action.ts";

/** `signalbox eval [suite]`: scores a suite against its baseline; without one, lists the suites. */
export const registerEval: RegisterCommand = (program, io) => {
  program
    .command("eval [suite]")
    .description(
      "run an eval suite (a name from evals/ or a path to a suite file); without one, list the suites. --model picks configurations (comma-separated names or model names)",
    )
    .option("--limit <n>", "run this many cases, spread evenly over the data set", positiveInt)
    .option(
      "--concurrency <n>",
      "cases in flight at once (default 8; model rate limits still apply)",
      positiveInt,
    )
    .option(
      "--baseline [file]",
      "compare with this baseline (default: the suite's, when it exists); exit 1 on a regression",
    )
    .option("--no-baseline", "do not compare with a baseline")
    .option(
      "--update-baseline",
      "write this run as the baseline (the suite's, or --baseline <file>)",
    )
    .option(
      "--data <path>",
      "the data directory of a classification suite, or the data set of a workflow suite",
    )
    .option(
      "--record",
      "call the real models and record their replies into the configurations' fixtures",
    )
    .option("--live", "call the real models even where a fixture is configured")
    .option(
      "--runs",
      "classification suites: store a dry-run per case (open each with signalbox show); without it cases are scored by the route's decisions alone",
    )
    .option("--json <file>", "write the full result as JSON ('-' for stdout only)")
    .option("--junit <file>", "write JUnit XML for CI")
    .option("--html <file>", "write a self-contained HTML report")
    .action(async (name: string | undefined, options: EvalOptions) => {
      const { evalAction } = await import("../eval-action.ts");
      await evalAction(io, program.opts<GlobalFlags>(), name, options);
    });
};
