import { narrateRun } from "../analytics/narrate-run.ts";
import type { RunEvent } from "../graph/events.ts";
import type { RunDetails } from "../runtime/runtime.ts";
import type { RunStore } from "../store/types.ts";
import { ExitCode } from "./cli-error.ts";
import { type CliIo, write } from "./cli-io.ts";
import { formatEvent, renderRun } from "./render.ts";
import { resolveRunId } from "./run-id.ts";

/** Streams progress to stderr while a command drives a run (nothing with --json). */
export function progress(io: CliIo, json: boolean): (event: RunEvent) => void {
  const tty = io.stdout.isTTY === true;
  return (event) => {
    if (json) return;
    const line = formatEvent(event, tty);
    if (line !== undefined) io.stderr.write(`${line}\n`);
  };
}

/**
 * A run with its decisions, effects and approvals, read from the store alone
 * (what `Runtime.get` returns, without loading a runtime).
 * @throws SignalboxError RUN_NOT_FOUND, INPUT_INVALID for an ambiguous prefix
 */
export async function readRunDetails(store: RunStore, idOrPrefix: string): Promise<RunDetails> {
  const runId = await resolveRunId(store, idOrPrefix);
  const [run, decisions, effects, approvals, startedBy] = await Promise.all([
    store.getRun(runId),
    store.listDecisions({ runId }),
    store.listEffects(runId),
    store.listApprovals({ runId }),
    store.getTriggerStart(runId),
  ]);
  if (run === undefined) throw new Error(`run ${runId} disappeared while it was read`);
  return { run, decisions, effects, approvals, ...(startedBy ? { startedBy } : {}) };
}

/** Prints a run (text or JSON) and sets exit code 1 when it failed, was compensated or cancelled. */
export async function report(
  io: CliIo,
  store: RunStore,
  runId: string,
  json: boolean,
): Promise<void> {
  const details = await readRunDetails(store, runId);
  // Why it went where it went comes first (issue 17); JSON gets it as a field.
  const narrative = narrateRun(details);
  write(
    io,
    json
      ? JSON.stringify({ ...details, narrative }, null, 2)
      : `${narrative.text}\n\n${renderRun(details, io.stdout.isTTY === true)}`,
  );
  if (
    details.run.status === "failed" ||
    details.run.status === "compensated" ||
    details.run.status === "cancelled"
  )
    io.setExitCode(ExitCode.RunFailed);
}
