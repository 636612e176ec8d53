import type { Command } from "commander";
import { type CliIo, type RegisterCommand, withRuntime, withStore, write } from "../cli-io.ts";
import { readRunDetails, report } from "../run-output.ts";

/** The run's graph with the taken path highlighted; needs the workflow, so the runtime. */
async function showMermaid(io: CliIo, program: Command, runId: string) {
  const { takenPath, toMermaid, withToolCalls } = await import("../../graph/mermaid.ts");
  return withRuntime(io, program, async (runtime) => {
    const details = await readRunDetails(runtime.store, runId);
    const workflow = runtime.workflow(details.run.workflow);
    const succeeded = details.run.status === "succeeded";
    const path = takenPath(workflow.nodes, workflow.start, details.decisions, succeeded);
    write(io, withToolCalls(toMermaid(workflow.nodes, workflow.start, path), details.decisions));
  });
}

/** `signalbox show <run>`: a run's decision path, effects, approvals and output. */
export const registerShow: RegisterCommand = (program, io) => {
  program
    .command("show <run>")
    .description(
      "show a run (its id or a unique prefix of 6+ characters): its decision path as a tree, effects, approvals and output",
    )
    .option("--mermaid", "print a Mermaid flowchart with the taken path highlighted")
    .option("--json", "print JSON")
    .action(async (runId: string, options: { mermaid?: boolean; json?: boolean }) => {
      if (options.mermaid) return showMermaid(io, program, runId);
      return withStore(io, program, (store) => report(io, store, runId, options.json === true));
    });
};
