import { ErrorCode, SignalboxError } from "../errors.ts";
import { isObjectSchema } from "../tools/tool-schema.ts";
import { approvalTargets } from "./approval-node.ts";
import type { NodeSpec } from "./node-spec.ts";
import { parallelNodeNames } from "./parallel-node.ts";
import { branchTargets } from "./route-node.ts";
import { END_NODE } from "./types.ts";

/** MCP tool names: 1–64 of letters, digits, `_`, `-` (so every client accepts them). */
export const WORKFLOW_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const NODE_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    let previous = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const current = row[j] as number;
      row[j] = Math.min(
        (row[j] as number) + 1,
        (row[j - 1] as number) + 1,
        previous + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      previous = current;
    }
  }
  return row[b.length] as number;
}

function suggest(name: string, known: readonly string[]): string {
  const close = known.filter(
    (candidate) => distance(name, candidate) <= Math.max(2, name.length / 3),
  );
  return close.length > 0 ? ` Did you mean "${close[0]}"?` : "";
}

/** Every target a node can lead to, with where it was declared (for messages). */
export function nodeTargets(spec: NodeSpec): { target: string; via: string }[] {
  switch (spec.kind) {
    case "route":
      return Object.entries(branchTargets(spec.options)).map(([branch, target]) => ({
        target,
        via: `branch "${branch}"`,
      }));
    case "approval":
      return Object.entries(approvalTargets(spec.options)).map(([status, target]) => ({
        target,
        via: `outcome "${status}"`,
      }));
    case "step":
    case "parallel":
    case "subworkflow":
    case "agent":
      return [{ target: spec.options.next ?? END_NODE, via: "next" }];
  }
}

function checkRoute(spec: Extract<NodeSpec, { kind: "route" }>, problems: string[]): void {
  const branches = Object.keys(spec.options.branches);
  const declared = (branch: string, what: string) => {
    if (!branches.includes(branch)) {
      problems.push(
        `route "${spec.name}": ${what} "${branch}" is not one of its branches (${branches.join(", ")}).${suggest(branch, branches)} Declare it under branches or pick a declared one.`,
      );
    }
  };
  if (branches.length === 0)
    problems.push(
      `route "${spec.name}" declares no branches; give it at least one under branches.`,
    );
  declared(spec.options.defaultBranch, "defaultBranch");
  if (spec.options.escalationBranch !== undefined)
    declared(spec.options.escalationBranch, "escalationBranch");
  if (spec.options.minConfidence !== undefined && spec.options.escalationBranch === undefined) {
    problems.push(
      `route "${spec.name}" sets minConfidence but no escalationBranch; add escalationBranch so low-confidence cases have somewhere to go.`,
    );
  }
  for (const rule of spec.options.rules ?? [])
    declared(rule.branch, `rule "${rule.name}" leads to branch`);
}

function checkAgent(spec: Extract<NodeSpec, { kind: "agent" }>, problems: string[]): void {
  const { options } = spec;
  const where = `agent "${spec.name}"`;
  const max = options.maxIterations;
  if (max !== undefined && !(Number.isInteger(max) && max >= 1))
    problems.push(`${where}: maxIterations must be a whole number of at least 1 (got ${max}).`);
  if (options.output !== undefined && !isObjectSchema(options.output))
    problems.push(
      `${where}: output must be a zod object schema (it becomes the final_answer tool's arguments).`,
    );
  const names = options.tools.map((tool) => (typeof tool === "string" ? tool : tool.name));
  const known = options.registry?.names() ?? [];
  for (const name of new Set(names)) {
    if (names.indexOf(name) !== names.lastIndexOf(name))
      problems.push(`${where} lists tool "${name}" twice; list each tool once.`);
  }
  for (const tool of options.tools) {
    if (typeof tool !== "string") continue;
    if (options.registry === undefined)
      problems.push(
        `${where} lists tool "${tool}" by name but has no registry; pass registry, or the tool itself.`,
      );
    else if (!options.registry.has(tool))
      problems.push(
        `${where} lists tool "${tool}", which is not in its registry.${suggest(tool, known)} Registered tools: ${known.join(", ") || "none"}.`,
      );
  }
}

function reachable(specs: readonly NodeSpec[], start: string): Set<string> {
  const byName = new Map(specs.map((spec) => [spec.name, spec]));
  const seen = new Set<string>();
  const queue = [start];
  while (queue.length > 0) {
    const name = queue.pop() as string;
    const spec = byName.get(name);
    if (seen.has(name) || spec === undefined) continue;
    seen.add(name);
    for (const { target } of nodeTargets(spec)) queue.push(target);
  }
  return seen;
}

/**
 * Checks a workflow graph before it is compiled: names, targets, branches,
 * reachability. Collects every problem and throws them together.
 * @throws SignalboxError WORKFLOW_INVALID
 */
export function validateWorkflow(
  workflow: string,
  specs: readonly NodeSpec[],
  start: string | undefined,
): void {
  const problems: string[] = [];
  if (!WORKFLOW_NAME.test(workflow))
    problems.push(
      `workflow name "${workflow}" must be 1-64 letters, digits, "_" or "-" (it is also an MCP tool name).`,
    );
  if (specs.length === 0) problems.push("the workflow has no nodes; add at least one step.");
  const names = specs.map((spec) => spec.name);
  const seen = new Set<string>();
  for (const spec of specs) {
    if (seen.has(spec.name))
      problems.push(`node "${spec.name}" is declared twice; give each node a unique name.`);
    seen.add(spec.name);
    if (!NODE_NAME.test(spec.name) || spec.name.includes("__") || spec.name === END_NODE) {
      problems.push(
        `node name "${spec.name}" is invalid: use letters, digits, "_" and "-", start with a letter, no "__", and not "${END_NODE}".`,
      );
    }
    for (const { target, via } of nodeTargets(spec)) {
      if (target !== END_NODE && !names.includes(target)) {
        problems.push(
          `node "${spec.name}" ${via} leads to "${target}", which is not a node.${suggest(target, names)} Declared nodes: ${names.join(", ")} (or "${END_NODE}").`,
        );
      }
    }
    if (spec.kind === "route") checkRoute(spec, problems);
    if (spec.kind === "agent") checkAgent(spec, problems);
    if (
      spec.kind === "parallel" &&
      !spec.options.branches &&
      !(spec.options.items && spec.options.run)
    ) {
      problems.push(`parallel "${spec.name}" needs either branches, or items together with run.`);
    }
    if (spec.kind === "parallel" && names.includes(parallelNodeNames(spec.name).join)) {
      problems.push(
        `node name "${parallelNodeNames(spec.name).join}" is reserved by parallel "${spec.name}".`,
      );
    }
  }
  const first = start ?? names[0];
  if (first !== undefined && !names.includes(first))
    problems.push(`start node "${first}" is not a node.${suggest(first, names)}`);
  if (first !== undefined && names.includes(first)) {
    const live = reachable(specs, first);
    for (const name of names) {
      if (!live.has(name))
        problems.push(
          `node "${name}" is unreachable from the start node "${first}"; lead to it from another node (next, a branch or an approval outcome) or remove it.`,
        );
    }
  }
  if (problems.length > 0) {
    throw new SignalboxError(
      ErrorCode.WorkflowInvalid,
      `workflow "${workflow}" is invalid:\n- ${problems.join("\n- ")}`,
      { data: { problems } },
    );
  }
}
