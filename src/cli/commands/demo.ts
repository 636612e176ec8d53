import { ErrorCode, SignalboxError } from "../../errors.ts";
import { type RegisterCommand, withRuntime } from "../cli-io.ts";
import { runWorkflow } from "./run.ts";

/** The sample request of the README's quick start (also examples/refund-request.json). */
const SAMPLE_REQUEST = {
  customerId: "C-1001",
  message: "Hi, I was charged twice for order #5012. Please refund the duplicate charge.",
};

/**
 * `signalbox demo`: the quick start. It forgets what earlier demos did to the demo
 * data (the refund of order 5012) first, so it gives the same answer every time;
 * runs and their decision logs stay.
 */
export const registerDemo: RegisterCommand = (program, io) => {
  program
    .command("demo")
    .description(
      "reset the built-in demo data (support.db in the home; runs stay) and run support_triage on a sample refund request",
    )
    .option("--json", "print the run as JSON")
    .action(async (options: { json?: boolean }) => {
      const { loaded, settings } = await io.openProject(program.opts());
      if (loaded !== undefined)
        throw new SignalboxError(
          ErrorCode.InputInvalid,
          `signalbox demo runs the built-in demo, not the project in ${loaded.file}; run it outside a project, or use signalbox run`,
        );
      const { resetBuiltinData } = await import("../../workflows/index.ts");
      resetBuiltinData(settings.home);
      await withRuntime(io, program, (runtime) =>
        runWorkflow(io, runtime, "support_triage", {
          input: JSON.stringify(SAMPLE_REQUEST),
          json: options.json,
        }),
      );
    });
};
