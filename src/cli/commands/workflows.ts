import { type RegisterCommand, withRuntime, write } from "../cli-io.ts";

/** `signalbox workflows`: the workflows this project hosts. */
export const registerWorkflows: RegisterCommand = (program, io) => {
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
};
