/** Renders benchmark results as markdown tables and target verdicts. */

import type { BytesComparison } from "./checkpoint-bytes.ts";
import type { CaseResult, VariantResult } from "./overhead-cases.ts";

/** The per-node cost with the fixed per-invoke cost taken out: (t(long) − t(short)) / extra nodes. */
export interface MarginalCost {
  readonly checkpointer: "none" | "sqlite";
  readonly fromNodes: number;
  readonly toNodes: number;
  readonly bare: { readonly wallUs: number; readonly cpuUs: number };
  readonly ours: { readonly wallUs: number; readonly cpuUs: number };
}

export interface Target {
  readonly name: string;
  readonly met: boolean;
  readonly detail: string;
}

const CHECKPOINTER = { none: "no checkpointer", sqlite: "SqliteSaver" } as const;

const integer = (value: number) =>
  Number.isFinite(value) ? Math.round(value).toLocaleString("en-US") : "n/a";
const ratio = (ours: number, bare: number) =>
  bare > 0 && Number.isFinite(ours / bare) ? `${(ours / bare).toFixed(2)}×` : "n/a";
const times = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : "n/a");
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

function row(cells: readonly string[]): string {
  return `| ${cells.join(" | ")} |`;
}

function overheadRow(result: CaseResult, ours: VariantResult): string {
  const { bare } = result;
  return row([
    `${result.label}, ${CHECKPOINTER[result.checkpointer]}`,
    result.unit,
    ours.variant.replace(/^ours: /, ""),
    `${integer(bare.wallUsPerUnit)} / ${integer(bare.cpuUsPerUnit)}`,
    `${integer(ours.wallUsPerUnit)} / ${integer(ours.cpuUsPerUnit)}`,
    times(ours.wallRatio),
    times(ours.cpuRatio),
    String(Math.min(bare.iterations, ours.iterations)),
  ]);
}

function marginalRow(marginal: MarginalCost): string {
  return row([
    `per extra node (${marginal.fromNodes}→${marginal.toNodes}), ${CHECKPOINTER[marginal.checkpointer]}`,
    "node",
    "graph.invoke",
    `${integer(marginal.bare.wallUs)} / ${integer(marginal.bare.cpuUs)}`,
    `${integer(marginal.ours.wallUs)} / ${integer(marginal.ours.cpuUs)}`,
    ratio(marginal.ours.wallUs, marginal.bare.wallUs),
    ratio(marginal.ours.cpuUs, marginal.bare.cpuUs),
    "—",
  ]);
}

/** Wrapper overhead: one row per (case, our variant), bare figures alongside. */
export function overheadTable(
  cases: readonly CaseResult[],
  marginals: readonly MarginalCost[],
): string {
  return [
    row([
      "Case",
      "Unit",
      "Ours via",
      "Bare µs/unit (wall / CPU)",
      "Ours µs/unit (wall / CPU)",
      "Wall ours/bare",
      "CPU ours/bare",
      "Rounds",
    ]),
    row(["---", "---", "---", "---:", "---:", "---:", "---:", "---:"]),
    ...cases.flatMap((result) => result.ours.map((ours) => overheadRow(result, ours))),
    ...marginals.map(marginalRow),
  ].join("\n");
}

/** Checkpoint bytes per run length, bare reducer channel vs our delta channel. */
export function bytesTable(results: readonly BytesComparison[]): string {
  const lines = [
    row([
      "Decisions",
      "Bare checkpoint bytes",
      "Ours checkpoint bytes",
      "Ours/bare",
      "Bare file",
      "Ours file (incl. decision log)",
      "Ours decision-log bytes",
      "Bare ms (1 run)",
      "Ours ms (1 run)",
    ]),
    row(["---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:"]),
    ...results.map((result) =>
      row([
        String(result.steps),
        integer(result.bare.checkpointBytes),
        integer(result.ours.checkpointBytes),
        ratio(result.ours.checkpointBytes, result.bare.checkpointBytes),
        kib(result.bare.fileBytes),
        kib(result.ours.fileBytes),
        integer(result.ours.decisionLogBytes),
        integer(result.bare.runMs),
        integer(result.ours.runMs),
      ]),
    ),
  ];
  for (let index = 1; index < results.length; index += 1) {
    const before = results[index - 1] as BytesComparison;
    const after = results[index] as BytesComparison;
    lines.push(
      row([
        `growth ${before.steps}→${after.steps}`,
        ratio(after.bare.checkpointBytes, before.bare.checkpointBytes),
        ratio(after.ours.checkpointBytes, before.ours.checkpointBytes),
        "",
        ratio(after.bare.fileBytes, before.bare.fileBytes),
        ratio(after.ours.fileBytes, before.ours.fileBytes),
        ratio(after.ours.decisionLogBytes, before.ours.decisionLogBytes),
        "",
        "",
      ]),
    );
  }
  return lines.join("\n");
}

export function targetLines(targets: readonly Target[]): string {
  return targets
    .map((target) => `${target.met ? "MET    " : "NOT MET"}  ${target.name}: ${target.detail}`)
    .join("\n");
}
