import { ErrorCode, SignalboxError } from "../errors.ts";
import type { CompiledWorkflow } from "../graph/workflow.ts";
import { parseWith } from "../validation.ts";
import { createSupportTriage, SupportData } from "../workflows/index.ts";
import { readDataset } from "./dataset.ts";
import { Expectation } from "./expectation.ts";
import type { DatasetRow, ModelConfig, ParsedWorkflowSuite } from "./suite.ts";
import type { EvalCase } from "./types.ts";

/**
 * The shipped workflows as evals run them: over a freshly seeded, in-memory copy
 * of their data, so results do not depend on what a data directory went through.
 */
const SHIPPED: Readonly<Record<string, () => CompiledWorkflow>> = {
  support_triage: () =>
    createSupportTriage({ data: new SupportData(":memory:") }) as unknown as CompiledWorkflow,
};

/** Workflows a host offers by name (a `WorkflowRegistry`). */
export interface HostedWorkflows {
  names(): string[];
  get(name: string): CompiledWorkflow;
}

/**
 * The workflow factory of a suite: a shipped workflow by name (over fresh data), one
 * the host offers by name, or the suite's own factory.
 * @throws SignalboxError WORKFLOW_NOT_FOUND naming the ones there are
 */
export function workflowFactory(
  workflow: ParsedWorkflowSuite["workflow"],
  hosted?: HostedWorkflows,
): (config: ModelConfig) => CompiledWorkflow {
  if (typeof workflow !== "string") return workflow;
  const create =
    SHIPPED[workflow] ??
    (hosted?.names().includes(workflow) ? () => hosted.get(workflow) : undefined);
  if (create === undefined)
    throw new SignalboxError(
      ErrorCode.WorkflowNotFound,
      `no workflow named "${workflow}" for evals; shipped: ${Object.keys(SHIPPED).join(", ")}; hosted: ${hosted?.names().join(", ") || "none"} (a TypeScript suite can pass its own workflow factory)`,
    );
  let built: CompiledWorkflow | undefined;
  return () => {
    built ??= create();
    return built;
  };
}

function tagsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === "string" && value !== "") return value.split(",").map((tag) => tag.trim());
  return [];
}

function inputOf(row: DatasetRow, mapping: ParsedWorkflowSuite["mapping"]): unknown {
  const { input } = mapping;
  if (typeof input === "function") return input(row);
  if (typeof input === "string") return row[input];
  return Object.fromEntries(Object.entries(input).map(([field, column]) => [field, row[column]]));
}

function expectationOf(
  row: DatasetRow,
  mapping: ParsedWorkflowSuite["mapping"],
  id: string,
): Expectation {
  const raw = typeof mapping.expect === "function" ? mapping.expect(row) : row[mapping.expect];
  const routes = Object.fromEntries(
    Object.entries(mapping.routes ?? {}).map(([node, column]) => [node, String(row[column])]),
  );
  const base = (raw ?? {}) as Record<string, unknown>;
  const merged =
    mapping.routes === undefined
      ? base
      : { ...base, routes: { ...(base.routes as object | undefined), ...routes } };
  return parseWith(Expectation, merged, ErrorCode.ConfigInvalid, `the expectation of case "${id}"`);
}

/**
 * Turns data set rows into cases with the suite's mapping.
 * @throws SignalboxError CONFIG_INVALID on a bad expectation or a duplicate case id
 */
export function casesFromRows(
  rows: readonly DatasetRow[],
  mapping: ParsedWorkflowSuite["mapping"],
): EvalCase[] {
  const seen = new Set<string>();
  return rows.map((row, index) => {
    const id =
      typeof mapping.id === "function"
        ? mapping.id(row, index)
        : String(row[mapping.id] ?? `case-${index + 1}`);
    if (seen.has(id))
      throw new SignalboxError(ErrorCode.ConfigInvalid, `two cases have the id "${id}"`);
    seen.add(id);
    const note = row[mapping.note];
    return {
      id,
      input: inputOf(row, mapping),
      expect: expectationOf(row, mapping, id),
      tags: tagsOf(row[mapping.tags]),
      ...(typeof note === "string" ? { note } : {}),
    };
  });
}

/** Reads a workflow suite's data set into cases. */
export async function loadWorkflowCases(
  suite: ParsedWorkflowSuite,
  datasetPath: string,
): Promise<EvalCase[]> {
  return casesFromRows(await readDataset(datasetPath), suite.mapping);
}
