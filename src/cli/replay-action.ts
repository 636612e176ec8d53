import { readFile } from "node:fs/promises";
import { z } from "zod";
import type { ReplayDecider, ReplayReport } from "../analytics/replay-decisions.ts";
import { ErrorCode, SignalboxError } from "../errors.ts";
import type { NodeSpec } from "../graph/node-spec.ts";
import type { BranchText } from "../models/offline-decider.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { parseWith } from "../validation.ts";
import { type CliIo, type GlobalFlags, write } from "./cli-io.ts";

/** Options of `signalbox replay`. */
export interface ReplayOptions {
  readonly workflow?: string;
  readonly since?: string;
  readonly node?: string;
  readonly threshold?: number;
  readonly classifier?: string;
  readonly fixture?: string;
  readonly record?: boolean;
  readonly limit?: number;
  readonly json?: boolean;
}

const Example = z.object({ label: z.string().min(1), text: z.string().min(1) });

/** Reads labelled examples (JSONL, as `signalbox labels export` writes them). */
async function readExamples(path: string): Promise<z.infer<typeof Example>[]> {
  const text = await readFile(path, "utf8").catch((error: unknown) => {
    throw new SignalboxError(
      ErrorCode.InputInvalid,
      `--classifier: cannot read ${path}: ${String(error)}`,
    );
  });
  return text
    .split("\n")
    .map((line, index) => ({ line: line.trim(), index }))
    .filter(({ line }) => line !== "")
    .map(({ line, index }) => {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw new SignalboxError(
          ErrorCode.InputInvalid,
          `--classifier: ${path} line ${index + 1} is not JSON; expected {"label": …, "text": …}`,
        );
      }
      return parseWith(
        Example,
        value,
        ErrorCode.InputInvalid,
        `--classifier: ${path} line ${index + 1}`,
      );
    });
}

/**
 * The declared branches of the route `node` among `nodes`; a route inside a subworkflow
 * is named through its subworkflow node, as decisions record it (`draft_reply/review_draft`).
 */
export function routeBranches(
  nodes: readonly NodeSpec[],
  node: string,
): readonly BranchText[] | undefined {
  const [head, ...rest] = node.split("/");
  const spec = nodes.find((candidate) => candidate.name === head);
  if (spec?.kind === "subworkflow" && rest.length > 0)
    return routeBranches(spec.options.workflow.nodes, rest.join("/"));
  if (spec?.kind !== "route" || rest.length > 0) return undefined;
  return Object.entries(spec.options.branches).map(([name, branch]) => ({
    name,
    description: branch.description,
    examples: [...(branch.examples ?? [])],
  }));
}

/** A route's declared branches in the registered workflow, when it has that route. */
function branchesFrom(runtime: Runtime) {
  return (workflow: string | undefined, node: string): readonly BranchText[] | undefined => {
    if (workflow === undefined) return undefined;
    let nodes: readonly NodeSpec[];
    try {
      nodes = runtime.workflow(workflow).nodes;
    } catch {
      return undefined;
    }
    return routeBranches(nodes, node);
  };
}

function chosen(
  options: ReplayOptions,
  model: string | undefined,
): "threshold" | "classifier" | "model" {
  const given = [
    options.threshold !== undefined ? "threshold" : undefined,
    options.classifier !== undefined ? "classifier" : undefined,
    model !== undefined ? "model" : undefined,
  ].filter((name) => name !== undefined);
  if (given.length !== 1)
    throw new SignalboxError(
      ErrorCode.InputInvalid,
      `replay needs exactly one other decider: --threshold <t>, --classifier <labels.jsonl> or --model <name>; got ${given.length === 0 ? "none" : given.join(" and ")}`,
    );
  return given[0] as "threshold" | "classifier" | "model";
}

/** `signalbox replay`: asks recorded route decisions again with another decider; runs nothing else. */
export async function replayAction(
  io: CliIo,
  flags: GlobalFlags,
  options: ReplayOptions,
): Promise<void> {
  const kind = chosen(options, flags.model);
  const { settings } = await io.openProject({ ...flags, model: undefined });
  // The workflows give the routes' branches; the runtime's own model is not used.
  const runtime = await io.openRuntime({ ...flags, model: "offline" });
  const report = await (async () => {
    const { replayDecisions } = await import("../analytics/replay-decisions.ts");
    const filter = {
      workflow: options.workflow,
      node: options.node,
      since: options.since,
      limit: options.limit,
    };
    const branchesOf = branchesFrom(runtime);
    if (kind === "threshold")
      return replayDecisions({
        store: runtime.store,
        filter,
        decider: { kind, threshold: options.threshold ?? 0 },
      });
    if (kind === "classifier") {
      const { createOfflineDecider } = await import("../models/offline-decider.ts");
      const examples = await readExamples(options.classifier ?? "");
      const decider: ReplayDecider = {
        kind: "decider",
        name: `classifier retrained with ${examples.length} example(s) from ${options.classifier}`,
        deciderFor: (_node, branches) => createOfflineDecider(branches, examples),
      };
      return replayDecisions({ store: runtime.store, filter, decider, branchesOf });
    }
    const { createModelTier } = await import("../eval/model-tier.ts");
    const tier = await createModelTier(
      { name: "replay", model: flags.model ?? "" },
      {
        fixturePath: options.fixture,
        record: options.record,
        settings: {
          apiKey: settings.apiKey,
          baseURL: settings.baseURL,
          limits: settings.limits,
          prices: settings.prices,
        },
      },
    );
    const llm = tier.llm;
    if (llm === undefined)
      throw new SignalboxError(
        ErrorCode.InputInvalid,
        "--model: offline is not another decider; use --threshold or --classifier",
      );
    const decider: ReplayDecider = {
      kind: "decider",
      name: `${flags.model} (${tier.mode})`,
      deciderFor: () => llm,
    };
    const result = await replayDecisions({ store: runtime.store, filter, decider, branchesOf });
    await tier.fixture?.save();
    return {
      ...result,
      fixture: tier.fixture
        ? {
            path: tier.fixture.path,
            mode: tier.mode,
            hits: tier.fixture.hits,
            misses: tier.fixture.misses,
          }
        : undefined,
    };
  })().finally(() => runtime.close());
  await print(io, report, options.json === true);
}

async function print(
  io: CliIo,
  report: ReplayReport & { fixture?: { path: string; mode: string; hits: number; misses: number } },
  json: boolean,
) {
  const { renderReplay } = await import("./analytics-render.ts");
  if (json) return write(io, JSON.stringify(report, null, 2));
  const fixture = report.fixture
    ? `\nreplies: ${report.fixture.mode} ${report.fixture.path} (${report.fixture.hits} answered, ${report.fixture.misses} missing)`
    : "";
  write(io, `${renderReplay(report)}${fixture}`);
}
