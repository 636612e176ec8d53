import { readFileSync } from "node:fs";
import { Command, InvalidArgumentError, Option } from "commander";
import { ErrorCode, SignalboxError } from "../errors.ts";
import type { RunEvent } from "../graph/events.ts";
import { takenPath, toMermaid } from "../graph/mermaid.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { RUN_STATUSES } from "../store/types.ts";
import { registerChatCommand } from "./chat-command.ts";
import { ExitCode } from "./cli-error.ts";
import { registerEvalCommand } from "./eval-command.ts";
import { formatEvent, renderRun } from "./render.ts";
import { addServerCommands } from "./server-commands.ts";

/** What commands need from the process, injected so tests can drive the CLI in-process. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream;
  openRuntime(flags: GlobalFlags): Promise<Runtime>;
  setExitCode(code: number): void;
}

export interface GlobalFlags {
  readonly home?: string;
  readonly logLevel?: string;
  readonly model?: string;
  readonly databaseUrl?: string;
  /** Set by commands, not a flag: whether runs started here are driven here (default) or by workers. */
  readonly execute?: "here" | "workers";
}

function parseInput(text: string): unknown {
  const source = text.startsWith("@") ? readSource(text.slice(1)) : text;
  try {
    return JSON.parse(source) as unknown;
  } catch (error) {
    throw new SignalboxError(
      ErrorCode.InputInvalid,
      `--input is not valid JSON (${(error as Error).message}); pass a JSON object or @path/to/file.json`,
    );
  }
}

function readSource(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    throw new SignalboxError(ErrorCode.InputInvalid, `--input: cannot read file "${path}"`);
  }
}

function positiveInt(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0)
    throw new InvalidArgumentError("expected a positive whole number");
  return number;
}

async function withRuntime<T>(
  io: CliIo,
  program: Command,
  work: (runtime: Runtime) => Promise<T>,
): Promise<T> {
  const runtime = await io.openRuntime(program.opts<GlobalFlags>());
  try {
    return await work(runtime);
  } finally {
    await runtime.close();
  }
}

function write(io: CliIo, text: string): void {
  io.stdout.write(`${text}\n`);
}

/** Streams progress while a command drives a run, then prints the result. */
function progress(io: CliIo, json: boolean): (event: RunEvent) => void {
  const tty = io.stdout.isTTY === true;
  return (event) => {
    if (json) return;
    const line = formatEvent(event, tty);
    if (line !== undefined) io.stderr.write(`${line}\n`);
  };
}

async function report(io: CliIo, runtime: Runtime, runId: string, json: boolean): Promise<void> {
  const details = await runtime.get(runId);
  write(io, json ? JSON.stringify(details, null, 2) : renderRun(details, io.stdout.isTTY === true));
  if (
    details.run.status === "failed" ||
    details.run.status === "compensated" ||
    details.run.status === "cancelled"
  )
    io.setExitCode(ExitCode.RunFailed);
}

interface RunOptions {
  readonly input: string;
  readonly dryRun?: boolean;
  readonly detach?: boolean;
  readonly json?: boolean;
}

/** Builds the `signalbox` command line. */
export function createProgram(io: CliIo): Command {
  const program = new Command("signalbox")
    .description("Durable agentic workflows with a decision-path log")
    .option("--home <dir>", "data directory (default: $SIGNALBOX_HOME or ./.signalbox)")
    .addOption(
      new Option("--log-level <level>", "log level for JSON logs on stderr").choices([
        "fatal",
        "error",
        "warn",
        "info",
        "debug",
        "trace",
        "silent",
      ]),
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

  program
    .command("workflows")
    .description("list the workflows you can run")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }) =>
      withRuntime(io, program, async (runtime) => {
        const list = runtime.workflows.list().map((workflow) => ({
          name: workflow.name,
          version: workflow.version,
          description: workflow.description,
          effects: workflow.effects,
        }));
        write(
          io,
          options.json
            ? JSON.stringify(list, null, 2)
            : list.map((item) => `${item.name}@${item.version}  ${item.description}`).join("\n"),
        );
      }),
    );

  program
    .command("run <workflow>")
    .description("run a workflow and print its result and decision path")
    .requiredOption("--input <json|@file>", "the workflow input as JSON, or @file")
    .option("--dry-run", "perform no write effects; print the plan of those it would perform")
    .option("--detach", "queue the run for a worker, print its id and return at once")
    .option("--json", "print the run as JSON")
    .action(async (name: string, options: RunOptions) =>
      withRuntime(io, program, async (runtime) => {
        const input = parseInput(options.input);
        runtime.workflow(name);
        if (options.detach) {
          const run = await runtime.start(name, input, {
            dryRun: options.dryRun ?? false,
            trigger: "cli",
            detach: true,
          });
          return write(io, options.json ? JSON.stringify(run, null, 2) : run.id);
        }
        if (runtime.llm === undefined && options.json !== true) {
          io.stderr.write(
            "model: offline (local classifier, no LLM); set SIGNALBOX_MODEL or --model to use one\n",
          );
        }
        const run = await runtime.start(name, input, {
          dryRun: options.dryRun ?? false,
          trigger: "cli",
          onEvent: progress(io, options.json === true),
        });
        await report(io, runtime, run.id, options.json === true);
      }),
    );

  program
    .command("runs")
    .description("list runs, newest first")
    .addOption(new Option("--status <status>", "only runs with this status").choices(RUN_STATUSES))
    .option("--workflow <name>", "only runs of this workflow")
    .option("--limit <n>", "at most this many", positiveInt, 20)
    .option("--json", "print JSON")
    .action(
      async (options: {
        status?: (typeof RUN_STATUSES)[number];
        workflow?: string;
        limit: number;
        json?: boolean;
      }) =>
        withRuntime(io, program, async (runtime) => {
          const runs = await runtime.list({
            status: options.status,
            workflow: options.workflow,
            limit: options.limit,
          });
          if (options.json) return write(io, JSON.stringify(runs, null, 2));
          write(
            io,
            runs.length === 0
              ? "no runs"
              : runs
                  .map(
                    (run) =>
                      `${run.id}  ${run.status.padEnd(11)} ${run.workflow}  ${run.createdAt}${run.dryRun ? "  dry-run" : ""}`,
                  )
                  .join("\n"),
          );
        }),
    );

  program
    .command("show <run>")
    .description("show a run: its decision path as a tree, effects, approvals and output")
    .option("--mermaid", "print a Mermaid flowchart with the taken path highlighted")
    .option("--json", "print JSON")
    .action(async (runId: string, options: { mermaid?: boolean; json?: boolean }) =>
      withRuntime(io, program, async (runtime) => {
        if (!options.mermaid) return report(io, runtime, runId, options.json === true);
        const details = await runtime.get(runId);
        const workflow = runtime.workflow(details.run.workflow);
        const path = takenPath(
          workflow.nodes,
          workflow.start,
          details.decisions,
          details.run.status === "succeeded",
        );
        write(io, toMermaid(workflow.nodes, workflow.start, path));
      }),
    );

  program
    .command("approve <run>")
    .description(
      "approve (or reject, or ask for changes on) a run waiting for approval, and continue it",
    )
    .option("--reject", "reject instead of approving")
    .option("--changes", "request changes instead of approving")
    .option("--comment <text>", "why")
    .option("--by <name>", "who decides (default: $USER)")
    .option("--json", "print the run as JSON")
    .action(
      async (
        runId: string,
        options: {
          reject?: boolean;
          changes?: boolean;
          comment?: string;
          by?: string;
          json?: boolean;
        },
      ) =>
        withRuntime(io, program, async (runtime) => {
          if (options.reject && options.changes)
            throw new SignalboxError(
              ErrorCode.InputInvalid,
              "--reject and --changes exclude each other; pass one of them",
            );
          const decision = options.reject
            ? "rejected"
            : options.changes
              ? "changes_requested"
              : "approved";
          await runtime.approve(runId, {
            decision,
            by: options.by ?? process.env.USER ?? "cli",
            comment: options.comment,
            onEvent: progress(io, options.json === true),
          });
          await report(io, runtime, runId, options.json === true);
        }),
    );

  program
    .command("resume <run>")
    .description("continue a run left running by a process that stopped")
    .option("--json", "print JSON")
    .action(async (runId: string, options: { json?: boolean }) =>
      withRuntime(io, program, async (runtime) => {
        await runtime.resume(runId, { onEvent: progress(io, options.json === true) });
        await report(io, runtime, runId, options.json === true);
      }),
    );

  program
    .command("recover")
    .description(
      "drive here every run whose worker stopped (lease ran out) or that waits in the queue, and expire overdue approvals",
    )
    .action(async () =>
      withRuntime(io, program, async (runtime) => {
        const runs = await runtime.recover({ onEvent: progress(io, false) });
        write(
          io,
          runs.length === 0
            ? "nothing to recover"
            : runs.map((run) => `${run.id}  ${run.status}`).join("\n"),
        );
      }),
    );

  program
    .command("cancel <run>")
    .description("cancel a run that has not finished")
    .option("--reason <text>", "why")
    .action(async (runId: string, options: { reason?: string }) =>
      withRuntime(io, program, async (runtime) => {
        const run = await runtime.cancel(runId, options.reason ?? "cancelled from the CLI");
        write(io, `${run.id}  ${run.status}`);
      }),
    );

  program
    .command("graph <workflow>")
    .description("print a workflow's graph as a Mermaid flowchart")
    .action(async (name: string) =>
      withRuntime(io, program, async (runtime) => {
        const workflow = runtime.workflow(name);
        write(io, toMermaid(workflow.nodes, workflow.start));
      }),
    );

  addServerCommands(program, io);
  registerEvalCommand(program, io);
  registerChatCommand(program, io);
  return program;
}
