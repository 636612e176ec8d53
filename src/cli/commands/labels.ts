import { writeFile } from "node:fs/promises";
import { Option } from "commander";
import { type RegisterCommand, withStore, write } from "../cli-io.ts";
import { parseSince } from "../since.ts";

interface ExportOptions {
  readonly node: string;
  readonly workflow?: string;
  readonly since?: string;
  readonly format: "jsonl" | "csv";
  readonly output?: string;
}

const csvField = (text: string) => `"${text.replaceAll('"', '""')}"`;

/** `signalbox labels export`: reviewers' corrections as training examples for a route's classifier. */
export const registerLabels: RegisterCommand = (program, io) => {
  const labels = program
    .command("labels")
    .description("labelled examples from reviewers' corrections");
  labels
    .command("export")
    .description(
      "export the corrections of one route as labelled examples ({label, text}); a route takes them as trainingExamples, replay --classifier as extra training data",
    )
    .requiredOption("--node <name>", "the route node")
    .option("--workflow <name>", "only runs of this workflow")
    .option("--since <age|time>", "only corrections since (7d, 12h, or an ISO time)", (value) =>
      parseSince(value),
    )
    .addOption(
      new Option("--format <format>", "output format").choices(["jsonl", "csv"]).default("jsonl"),
    )
    .option("--output <file>", "write to this file instead of stdout")
    .action(async (options: ExportOptions) =>
      withStore(io, program, async (store) => {
        const { exportLabels } = await import("../../analytics/corrections.ts");
        const examples = await exportLabels(store, options);
        const text =
          options.format === "csv"
            ? [
                "label,text",
                ...examples.map(
                  (example) => `${csvField(example.label)},${csvField(example.text)}`,
                ),
              ].join("\n")
            : examples.map((example) => JSON.stringify(example)).join("\n");
        if (options.output === undefined) {
          if (text !== "") write(io, text);
          return;
        }
        await writeFile(options.output, text === "" ? "" : `${text}\n`);
        io.stderr.write(`${examples.length} labelled example(s) written to ${options.output}\n`);
      }),
    );
};
