import type { RegisterCommand } from "../cli-io.ts";

/** `signalbox init [dir]`: scaffolds a project with an example workflow, a test and an eval suite. */
export const registerInit: RegisterCommand = (program, io) => {
  program
    .command("init [dir]")
    .description(
      "create a project: package.json, signalbox.config.ts, an example workflow (route, approval, write effect), its vitest test, an eval suite and a README",
    )
    .option(
      "--signalbox <spec>",
      "what package.json depends on for signalbox (default: file: the signalbox running this, as it is not on the npm registry); e.g. a tarball from npm pack",
    )
    .option("--force", "overwrite files that exist")
    .action(
      async (directory: string | undefined, options: { signalbox?: string; force?: boolean }) => {
        const { scaffold } = await import("../scaffold.ts");
        scaffold(io, directory ?? ".", options);
      },
    );
};
