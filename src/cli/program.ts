import { Command, Option } from "commander";
import type { CliIo, RegisterCommand } from "./cli-io.ts";
import { registerApprove } from "./commands/approve.ts";
import { registerCancel } from "./commands/cancel.ts";
import { registerChat } from "./commands/chat.ts";
import { registerCorrect } from "./commands/correct.ts";
import { registerDemo } from "./commands/demo.ts";
import { registerDiff } from "./commands/diff.ts";
import { registerDrift } from "./commands/drift.ts";
import { registerEval } from "./commands/eval.ts";
import { registerGraph } from "./commands/graph.ts";
import { registerInit } from "./commands/init.ts";
import { registerLabels } from "./commands/labels.ts";
import { registerPaths } from "./commands/paths.ts";
import { registerPrune } from "./commands/prune.ts";
import { registerReplay } from "./commands/replay.ts";
import { registerResume } from "./commands/resume.ts";
import { registerRun } from "./commands/run.ts";
import { registerRuns } from "./commands/runs.ts";
import { registerSchedules } from "./commands/schedules.ts";
import { registerServerCommands } from "./commands/server.ts";
import { registerShow } from "./commands/show.ts";
import { registerWorkflows } from "./commands/workflows.ts";

/**
 * The commands, in the order --help lists them. Each module declares its options
 * and imports what its action needs (the runtime, models, MCP, the HTTP server,
 * eval, chat) only when it runs, so `signalbox --help` loads none of it.
 */
const COMMANDS: readonly RegisterCommand[] = [
  registerInit,
  registerWorkflows,
  registerRun,
  registerRuns,
  registerShow,
  registerApprove,
  registerResume,
  registerCancel,
  registerPrune,
  registerGraph,
  registerServerCommands,
  registerSchedules,
  registerEval,
  // Decision analytics (issue 17).
  registerDiff,
  registerReplay,
  registerPaths,
  registerCorrect,
  registerLabels,
  registerDrift,
  registerChat,
  registerDemo,
];

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/** Builds the `signalbox` command line. */
export function createProgram(io: CliIo): Command {
  const program = new Command("signalbox")
    .description("Durable agentic workflows with a decision-path log")
    .option(
      "--config <file>",
      "the project's config (default: the first signalbox.config.ts, .mts, .js or .mjs from here upward)",
    )
    .option(
      "--home <dir>",
      "data directory (default: $SIGNALBOX_HOME, else the config's store.home, else .signalbox beside the config or here)",
    )
    .addOption(
      new Option("--log-level <level>", "log level for JSON logs on stderr").choices(LOG_LEVELS),
    )
    .option(
      "--database-url <url>",
      "PostgreSQL for runs shared by many machines (default: $SIGNALBOX_DATABASE_URL, else SQLite in --home)",
    )
    .option(
      "--model <name>",
      "offline | openai:<model> | openai-compatible:<model>@<baseURL> (default: $SIGNALBOX_MODEL or offline)",
    )
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .showHelpAfterError()
    .exitOverride();
  for (const register of COMMANDS) register(program, io);
  return program;
}
