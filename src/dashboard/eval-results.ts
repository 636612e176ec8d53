import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { ErrorCode, SignalboxError } from "../errors.ts";
import type { ConfigSummary, EvalResult } from "../eval/types.ts";

/** One model configuration of an eval result, without its cases and per-node figures. */
export interface EvalConfigSummary {
  readonly name: string;
  readonly model: string;
  readonly replyMode: string;
  readonly summary: Omit<ConfigSummary, "nodes">;
}

/** An eval result as the list shows it. */
export interface EvalResultSummary {
  readonly id: string;
  readonly suite: string;
  readonly workflow: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly totalCases: number;
  readonly configs: readonly EvalConfigSummary[];
}

const EVAL_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/;

function isEvalResult(value: unknown): value is EvalResult {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { format?: unknown }).format === "signalbox-eval-result/1"
  );
}

function summarizeEval(result: EvalResult): EvalResultSummary {
  return {
    id: result.id,
    suite: result.suite,
    workflow: result.workflow,
    startedAt: result.startedAt,
    finishedAt: result.finishedAt,
    totalCases: result.totalCases,
    configs: result.configs.map(({ name, model, replyMode, summary }) => {
      const { nodes: _nodes, ...rest } = summary;
      return { name, model, replyMode, summary: rest };
    }),
  };
}

async function readResult(path: string): Promise<EvalResult | undefined> {
  try {
    const value: unknown = JSON.parse(await readFile(path, "utf8"));
    return isEvalResult(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The eval results saved in `directory` (`<home>/evals`), newest first; unreadable files skipped. */
export async function listEvalResults(directory: string): Promise<EvalResultSummary[]> {
  const names = await readdir(directory).catch(() => [] as string[]);
  const results = await Promise.all(
    names.filter((name) => name.endsWith(".json")).map((name) => readResult(join(directory, name))),
  );
  return results
    .filter((result): result is EvalResult => result !== undefined)
    .map(summarizeEval)
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

/**
 * One saved eval result, whole (every case with its run id).
 * @throws SignalboxError INPUT_INVALID for an id that is not a file name; RUN_NOT_FOUND when absent
 */
export async function readEvalResult(directory: string, id: string): Promise<EvalResult> {
  if (!EVAL_ID.test(id))
    throw new SignalboxError(ErrorCode.InputInvalid, `id: "${id}" is not an eval result id`, {
      data: { parameter: "id" },
    });
  const result = await readResult(join(directory, `${id}.json`));
  if (result === undefined)
    throw new SignalboxError(ErrorCode.RunNotFound, `no eval result with id "${id}"`, {
      data: { evalId: id },
    });
  return result;
}
