import { mkdir, writeFile } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";
import { ErrorCode, SignalboxError } from "../errors.ts";
import {
  type BaselineComparison,
  compareWithBaseline,
  readBaseline,
  updateBaseline,
  writeBaseline,
} from "../eval/baseline.ts";
import { listEvalSuites, loadEvalSuite } from "../eval/load-suite.ts";
import { formatProgress } from "../eval/progress.ts";
import { renderEvalHtml } from "../eval/report-html.ts";
import { renderJunit } from "../eval/report-junit.ts";
import { renderEvalText } from "../eval/report-text.ts";
import { saveEvalResult } from "../eval/result-store.ts";
import { EVAL_SQLITE_SYNCHRONOUS, type EvalProgress, runEval } from "../eval/run-eval.ts";
import type { LoadedSuite } from "../eval/suite.ts";
import type { EvalResult } from "../eval/types.ts";
import { ExitCode } from "./cli-error.ts";
import type { CliIo, GlobalFlags } from "./cli-io.ts";

export interface EvalOptions {
  readonly limit?: number;
  readonly concurrency?: number;
  readonly baseline?: string | boolean;
  readonly updateBaseline?: boolean;
  readonly data?: string;
  readonly record?: boolean;
  readonly live?: boolean;
  /** Store a dry-run per case of a classification suite too (issue 12). */
  readonly runs?: boolean;
  readonly json?: string;
  readonly junit?: string;
  readonly html?: string;
}

/** Redraws one progress line on a terminal; elsewhere prints a line per finished configuration. */
function progressReporter(io: CliIo, quiet: boolean) {
  const tty = (io.stderr as { isTTY?: boolean }).isTTY === true;
  const started = new Map<string, number>();
  let drawn = 0;
  const update = (progress: EvalProgress) => {
    if (quiet) return;
    const first = started.get(progress.config) ?? performance.now();
    started.set(progress.config, first);
    const now = performance.now();
    const finished = progress.done === progress.total;
    if (tty && (finished || now - drawn > 100)) {
      drawn = now;
      io.stderr.write(`\r\x1b[2K${formatProgress(progress, now - first)}${finished ? "\n" : ""}`);
    } else if (!tty && finished) {
      io.stderr.write(
        `${progress.config}: ${progress.total} cases in ${((now - first) / 1000).toFixed(1)} s, ${progress.failed} did not meet every expectation (an escalation counts)\n`,
      );
    }
  };
  return update;
}

/** The baseline file to compare with: --baseline <file>, else the suite's (when it exists or was asked for). */
function baselinePath(
  suite: LoadedSuite,
  option: string | boolean | undefined,
): string | undefined {
  if (option === false) return undefined;
  if (typeof option === "string") return resolve(option);
  if (option === true && suite.baseline === null)
    throw new SignalboxError(
      ErrorCode.InputInvalid,
      `suite ${suite.name} names no baseline; pass --baseline <file>`,
    );
  return suite.baseline ?? undefined;
}

async function compare(
  result: EvalResult,
  suite: LoadedSuite,
  path: string | undefined,
  required: boolean,
) {
  if (path === undefined) return [];
  const baseline = await readBaseline(path);
  if (baseline === undefined) {
    if (required)
      throw new SignalboxError(
        ErrorCode.InputInvalid,
        `no baseline at ${path}; write one with --update-baseline`,
      );
    return [];
  }
  return result.configs.map((config) => compareWithBaseline(baseline, config, suite.tolerance));
}

async function writeOutputs(
  io: CliIo,
  result: EvalResult,
  comparisons: readonly BaselineComparison[],
  options: EvalOptions,
) {
  const written: string[] = [];
  const write = async (path: string | undefined, text: () => string) => {
    if (path === undefined) return;
    if (path === "-") return void io.stdout.write(`${text()}\n`);
    await mkdir(dirname(resolve(path)), { recursive: true });
    await writeFile(resolve(path), text());
    written.push(resolve(path));
  };
  await write(options.json, () => JSON.stringify({ ...result, baseline: comparisons }, null, 2));
  await write(options.junit, () => renderJunit(result, comparisons));
  await write(options.html, () => renderEvalHtml(result, comparisons));
  return written;
}

/** Suites by name are looked up in the project's evals/ (beside its config), else here. */
async function suiteDirectory(io: CliIo, flags: GlobalFlags): Promise<string> {
  // --model names the suite's configurations here, not the project's model.
  return (await io.openProject({ ...flags, model: undefined })).loaded?.directory ?? process.cwd();
}

async function runSuite(io: CliIo, flags: GlobalFlags, name: string, options: EvalOptions) {
  const { settings } = await io.openProject({ ...flags, model: undefined });
  const runtime = await io.openRuntime({
    ...flags,
    model: "offline",
    sqliteSynchronous: EVAL_SQLITE_SYNCHRONOUS,
  });
  let result: EvalResult;
  let suite: LoadedSuite;
  try {
    suite = await loadEvalSuite(name, {
      cwd: await suiteDirectory(io, flags),
      environment: process.env,
      dataPath: options.data,
      hosted: runtime.workflows,
    });
    if (options.updateBaseline) updateTarget(suite, options); // fail before running, not after
    const models = flags.model
      ?.split(",")
      .map((model) => model.trim())
      .filter((model) => model !== "");
    result = await runEval({
      suite,
      store: runtime.store,
      logger: runtime.logger,
      models,
      limit: options.limit,
      concurrency: options.concurrency,
      record: options.record,
      live: options.live,
      runs: options.runs,
      settings,
      onProgress: progressReporter(io, options.json === "-"),
    });
  } finally {
    await runtime.close();
  }
  const path = baselinePath(suite, options.baseline);
  const comparisons = await compare(
    result,
    suite,
    path,
    typeof options.baseline === "string" || options.baseline === true,
  );
  return { suite, result, comparisons, path, home: settings.home };
}

/** Where --update-baseline writes. @throws SignalboxError INPUT_INVALID when the suite names none */
function updateTarget(suite: LoadedSuite, options: EvalOptions): string {
  const target = typeof options.baseline === "string" ? resolve(options.baseline) : suite.baseline;
  if (target === null)
    throw new SignalboxError(
      ErrorCode.InputInvalid,
      `suite ${suite.name} names no baseline; pass --baseline <file> to say where to write it`,
    );
  return target;
}

async function writeNewBaseline(io: CliIo, target: string, result: EvalResult) {
  await writeBaseline(target, updateBaseline(await readBaseline(target), result));
  io.stderr.write(`baseline written: ${target}\n`);
  if (result.limit !== null && result.limit < result.totalCases)
    io.stderr.write(
      `note: this baseline holds ${result.limit} of ${result.totalCases} cases; a full run will report failures among the others as new\n`,
    );
}

async function listSuites(io: CliIo, flags: GlobalFlags) {
  const lines = listEvalSuites(await suiteDirectory(io, flags)).map(
    (suite) => `${suite.name}  ${relative(process.cwd(), suite.file)}`,
  );
  io.stdout.write(`${lines.join("\n") || "no eval suites found"}\n`);
}

/**
 * Runs `signalbox eval [suite]`: a suite's cases as dry-runs over the data directory's
 * store (a classification suite's by its route alone, unless `--runs`); prints the scores (and writes JSON, JUnit XML, HTML); exit 1 on a regression
 * against its baseline. Without a suite, lists them.
 */
export async function evalAction(
  io: CliIo,
  flags: GlobalFlags,
  name: string | undefined,
  options: EvalOptions,
) {
  if (name === undefined) return listSuites(io, flags);
  const { suite, result, comparisons, path, home } = await runSuite(io, flags, name, options);
  const saved = await saveEvalResult(home, result);
  const written = await writeOutputs(io, result, comparisons, options);
  if (options.json !== "-") {
    const tty = io.stdout.isTTY === true;
    const baselinePath = path && relative(process.cwd(), path);
    io.stdout.write(`${renderEvalText(result, { tty, comparisons, baselinePath })}\n\n`);
    io.stdout.write(`result: ${saved}${written.map((file) => `\nwrote: ${file}`).join("")}\n`);
  }
  if (options.updateBaseline) return writeNewBaseline(io, updateTarget(suite, options), result);
  if (comparisons.some((comparison) => comparison.regression)) io.setExitCode(ExitCode.RunFailed);
}
