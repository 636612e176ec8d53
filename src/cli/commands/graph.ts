import { type RegisterCommand, withRuntime, write } from "../cli-io.ts";

/** `signalbox graph <workflow>`: the workflow as a Mermaid flowchart. */
export const registerGraph: RegisterCommand = (program, io) => {
  program
    .command("graph <workflow>")
    .description("print a workflow's graph as a Mermaid flowchart")
    .action(async (name: string) => {
      const { toMermaid } = await import("../../graph/mermaid.ts");
      await withRuntime(io, program, async (runtime) => {
        const workflow = runtime.workflow(name);
        write(io, toMermaid(workflow.nodes, workflow.start));
      });
    });
};
