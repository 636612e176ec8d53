import { ErrorCode, SignalboxError } from "../../errors.ts";
import type { ApprovalDecision } from "../../runtime/runtime.ts";
import { type RegisterCommand, withRuntime } from "../cli-io.ts";
import { resolveRunId } from "../run-id.ts";
import { progress, report } from "../run-output.ts";

interface ApproveOptions {
  readonly reject?: boolean;
  readonly changes?: boolean;
  readonly comment?: string;
  readonly by?: string;
  readonly json?: boolean;
}

/** @throws SignalboxError INPUT_INVALID when both --reject and --changes are given */
function decisionOf(options: ApproveOptions): ApprovalDecision {
  if (options.reject && options.changes)
    throw new SignalboxError(
      ErrorCode.InputInvalid,
      "--reject and --changes exclude each other; pass one of them",
    );
  return options.reject ? "rejected" : options.changes ? "changes_requested" : "approved";
}

/** `signalbox approve <run>`: decides a waiting run's approval and continues it here. */
export const registerApprove: RegisterCommand = (program, io) => {
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
    .action(async (text: string, options: ApproveOptions) => {
      const decision = decisionOf(options);
      await withRuntime(io, program, async (runtime) => {
        const runId = await resolveRunId(runtime.store, text);
        await runtime.approve(runId, {
          decision,
          by: options.by ?? process.env.USER ?? "cli",
          comment: options.comment,
          onEvent: progress(io, options.json === true),
        });
        await report(io, runtime.store, runId, options.json === true);
      });
    });
};
