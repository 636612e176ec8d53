import { randomBytes } from "node:crypto";
import { dirname, resolve } from "node:path";
import type { Logger } from "pino";
import type { Decider } from "../contracts/decider.ts";
import {
  createDecisionRecord,
  type DecisionInput,
  type DecisionRecord,
} from "../contracts/decision.ts";
import { ErrorCode, SignalboxError } from "../errors.ts";
import type { RouteDecision } from "../graph/route-node.ts";
import type { CompiledWorkflow } from "../graph/workflow.ts";
import { parseModelSpec } from "../models/model-spec.ts";
import { WorkflowRegistry } from "../runtime/registry.ts";
import { Runtime } from "../runtime/runtime.ts";
import type { RunStore } from "../store/types.ts";
import {
  escalationBranches,
  outcomeOfError,
  outcomeOfRoute,
  outcomeOfRun,
} from "./case-outcome.ts";
import { spreadSample } from "./dataset.ts";
import { checkExpectation } from "./expectation.ts";
import { summarize } from "./metrics.ts";
import { createModelTier, type ModelSettings, type ModelTier } from "./model-tier.ts";
import { mapConcurrent } from "./run-pool.ts";
import type { LoadedSuite, ModelConfig } from "./suite.ts";
import type { CaseOutcome, CaseResult, ConfigResult, EvalCase, EvalResult } from "./types.ts";

/**
 * How `signalbox eval` commits to a SQLite store unless SIGNALBOX_SQLITE_SYNCHRONOUS says
 * otherwise: its cases are dry-runs, so a power cut that loses the last few costs a
 * rerun, while an fsync per commit was most of a case's wall time (issue 12).
 */
export const EVAL_SQLITE_SYNCHRONOUS = "NORMAL";

/** Cases in flight at once by default: enough to overlap model calls and store writes. */
export const DEFAULT_CONCURRENCY = 8;

/** Where a run of a suite stands, for progress bars. */
export interface EvalProgress {
  readonly config: string;
  readonly configIndex: number;
  readonly configCount: number;
  readonly done: number;
  readonly total: number;
  readonly failed: number;
}

/** Options of {@link runEval}. */
export interface RunEvalOptions {
  readonly suite: LoadedSuite;
  /** The run store the cases' runs (dry-runs, trigger `eval`) are written to (none for a route-only suite, unless `runs`). */
  readonly store: RunStore;
  readonly logger?: Logger;
  /** Configuration names of the suite, or model names to run ad hoc; default all of the suite's. */
  readonly models?: readonly string[];
  /** Run this many cases, spread evenly over the data set. */
  readonly limit?: number;
  /** Cases in flight at once (the providers' rate limits still apply). Default 8. */
  readonly concurrency?: number;
  /** Call the real models and write their replies to each configuration's fixture. */
  readonly record?: boolean;
  /** Call the real models even where a fixture is configured. */
  readonly live?: boolean;
  readonly settings?: ModelSettings;
  /**
   * Store a dry-run per case even for a route-only (classification) suite, so each
   * can be opened with `signalbox show`. Without it such a suite is scored by the
   * route's decision alone: same decisions, no run, no store writes (issue 12).
   */
  readonly runs?: boolean;
  readonly onProgress?: (progress: EvalProgress) => void;
}

/**
 * The configurations to run: the suite's, or those named (a name not in the
 * suite that parses as a model name runs as an ad-hoc configuration).
 * @throws SignalboxError INPUT_INVALID naming the suite's configurations
 */
export function selectConfigs(
  suite: LoadedSuite,
  names: readonly string[] | undefined,
): ModelConfig[] {
  if (names === undefined || names.length === 0) return [...suite.models];
  return [...new Set(names)].map((name) => {
    const config = suite.models.find((candidate) => candidate.name === name);
    if (config !== undefined) return config;
    try {
      parseModelSpec(name);
    } catch {
      throw new SignalboxError(
        ErrorCode.InputInvalid,
        `--model "${name}" is neither a configuration of suite ${suite.name} (${suite.models.map((model) => model.name).join(", ")}) nor a model name (offline, openai:<model>, openai-compatible:<model>@<baseURL>)`,
      );
    }
    return { name, model: name };
  });
}

function fixturePath(suite: LoadedSuite, config: ModelConfig, options: RunEvalOptions) {
  if (options.live && !options.record) return undefined;
  const configured = suite.fixtures.get(config.name);
  if (configured !== undefined || !options.record) return configured;
  const slug = config.name.replaceAll(/[^\w.-]+/g, "-");
  return resolve(dirname(suite.file), "fixtures", `${suite.name}.${slug}.json`);
}

interface ConfigContext {
  readonly workflow: CompiledWorkflow;
  readonly escalation: ReadonlyMap<string, string | null>;
  readonly hasLlm: boolean;
}

/** How a configuration's cases run: each as a dry-run, or scored by the route alone. */
type CaseContext =
  | (ConfigContext & { readonly runtime: Runtime; readonly route?: undefined })
  | (ConfigContext & { readonly route: RouteCaseContext; readonly runtime?: undefined });

/** A route-only suite scored without runs: its route's decision, the LLM tier, the output. */
interface RouteCaseContext {
  readonly node: string;
  readonly decide: RouteDecision;
  readonly llm: Decider | undefined;
  readonly output: (branch: string) => unknown;
}

/** The state a run's first node sees: the parsed input and empty bookkeeping channels. */
function initialState(input: unknown): Record<string, unknown> {
  return { input, routes: {}, approvals: {}, parallel: {}, decisions: [] };
}

/**
 * Scores a case of a route-only workflow by its route decision alone: the input is
 * checked as a run checks it, then the route decides as its node would, with its
 * decisions kept in memory for the outcome (nothing is stored).
 */
async function routeOutcome(context: ConfigContext, route: RouteCaseContext, input: unknown) {
  const started = performance.now();
  try {
    const state = initialState(context.workflow.parseInput(input));
    const decisions: DecisionRecord[] = [];
    const decide = (decision: DecisionInput) => {
      const ordinal = decisions.filter((kept) => kept.kind === decision.kind).length;
      const key = `${route.node}@1.1#${decision.kind}${ordinal}`;
      decisions.push(createDecisionRecord(decision, { key, runId: "", step: 1 }));
    };
    const choice = await route.decide(state, { node: route.node, llm: route.llm, decide });
    const latencyMs = performance.now() - started;
    const output = route.output(choice.branch);
    return outcomeOfRoute({ ...context, decisions, output, latencyMs });
  } catch (error) {
    return outcomeOfError(error, performance.now() - started);
  }
}

async function runOutcome(
  context: ConfigContext,
  runtime: Runtime,
  input: unknown,
): Promise<CaseOutcome> {
  const { workflow } = context;
  const started = performance.now();
  try {
    const run = await runtime.start(workflow.name, input, { dryRun: true, trigger: "eval" });
    const latencyMs = performance.now() - started;
    // A dry-run paused at an approval would wait for a person forever: end it, keep what it did.
    if (run.status === "waiting")
      await runtime.cancel(
        run.id,
        "eval: this dry-run case stopped at an approval; cancelled so it does not wait",
      );
    const details = await runtime.get(run.id);
    return outcomeOfRun({ ...context, details, status: run.status, latencyMs });
  } catch (error) {
    return outcomeOfError(error, performance.now() - started);
  }
}

async function runCase(context: CaseContext, evalCase: EvalCase): Promise<CaseResult> {
  const outcome =
    context.route === undefined
      ? await runOutcome(context, context.runtime, evalCase.input)
      : await routeOutcome(context, context.route, evalCase.input);
  const failures = checkExpectation(evalCase.expect, outcome, evalCase.input);
  return { ...evalCase, passed: failures.length === 0, failures, outcome };
}

/** Builds every route's decider now (sub-workflows' too), so the first case does not train. */
export function prepareRoutes(workflow: CompiledWorkflow): void {
  for (const spec of workflow.nodes) {
    if (spec.kind === "route") workflow.routeDecision(spec.name).prepare();
    else if (spec.kind === "subworkflow") prepareRoutes(spec.options.workflow);
  }
}

/** The workflow and a runtime (or, for a route-only suite, its route) for one configuration. */
async function prepareConfig(
  options: RunEvalOptions,
  config: ModelConfig,
  tier: ModelTier,
): Promise<CaseContext> {
  const { suite, store } = options;
  const workflow = await suite.createWorkflow(config);
  const escalation = escalationBranches(workflow);
  const hasLlm = tier.llm !== undefined;
  const routeOnly = options.runs ? undefined : suite.routeOnly;
  if (routeOnly !== undefined) {
    const { node } = routeOnly;
    const decide = workflow.routeDecision(node);
    decide.prepare(); // trains the classifier before timing
    const route: RouteCaseContext = {
      node,
      decide,
      llm: tier.llm,
      output: (branch) => routeOnly.output(branch, escalation.get(node) ?? null),
    };
    return { workflow, escalation, hasLlm, route };
  }
  const runtime = new Runtime({
    store,
    workflows: new WorkflowRegistry([workflow]),
    logger: options.logger,
    llm: tier.llm,
    chat: tier.chat,
  });
  // Builds the graph and trains its routes' classifiers before timing.
  workflow.graph(store.checkpointer, { inputInStore: true });
  prepareRoutes(workflow);
  return { runtime, workflow, escalation, hasLlm };
}

interface ConfigRun {
  readonly config: ModelConfig;
  readonly tier: ModelTier;
  readonly cases: readonly EvalCase[];
  readonly report: (done: number, failed: number) => void;
}

async function runConfig(options: RunEvalOptions, run: ConfigRun): Promise<ConfigResult> {
  const { config, tier, cases, report } = run;
  const context = await prepareConfig(options, config, tier);
  report(0, 0);
  let done = 0;
  let failed = 0;
  const started = performance.now();
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const results = await mapConcurrent(cases, concurrency, async (evalCase) => {
    const result = await runCase(context, evalCase);
    done += 1;
    if (!result.passed) failed += 1;
    report(done, failed);
    return result;
  });
  const elapsedMs = performance.now() - started;
  await tier.fixture?.save();
  return {
    name: config.name,
    model: config.model,
    replyMode: tier.mode,
    fixture: tier.fixture?.path ?? null,
    replayMisses: tier.fixture?.misses ?? 0,
    summary: summarize(results, elapsedMs),
    cases: results,
  };
}

/** Every configuration's model tier, first, so a missing key or fixture fails before any case runs. */
async function createTiers(options: RunEvalOptions, configs: readonly ModelConfig[]) {
  const tiers: ModelTier[] = [];
  for (const config of configs) {
    const fixture = fixturePath(options.suite, config, options);
    const { record, settings } = options;
    tiers.push(await createModelTier(config, { fixturePath: fixture, record, settings }));
  }
  return tiers;
}

/** A sortable, readable id for one eval run: `<suite>-<UTC time>-<random>`. */
export function createEvalId(suite: string, now = new Date()): string {
  const time = now
    .toISOString()
    .replaceAll(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `${suite}-${time}-${randomBytes(3).toString("hex")}`;
}

/**
 * Runs a suite: every case of every selected configuration as a dry-run through
 * a {@link Runtime} over `store` (so each run and its decision path stay
 * inspectable), checks each against its expectation, and scores the routes. A
 * route-only (classification) suite is scored by its route's decisions alone, with
 * no runs stored, unless `runs` is set.
 */
export async function runEval(options: RunEvalOptions): Promise<EvalResult> {
  const { suite } = options;
  const startedAt = new Date();
  const configs = selectConfigs(suite, options.models);
  const all = await suite.loadCases();
  const cases = spreadSample(all, options.limit);
  const tiers = await createTiers(options, configs);
  const results: ConfigResult[] = [];
  for (const [configIndex, config] of configs.entries()) {
    const report = (done: number, failed: number) =>
      options.onProgress?.({
        config: config.name,
        configIndex,
        configCount: configs.length,
        done,
        total: cases.length,
        failed,
      });
    const tier = tiers[configIndex] as ModelTier;
    results.push(await runConfig(options, { config, tier, cases, report }));
  }
  return {
    format: "signalbox-eval-result/1",
    id: createEvalId(suite.name, startedAt),
    suite: suite.name,
    suiteFile: suite.file,
    workflow: suite.workflowName,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    totalCases: all.length,
    limit: options.limit ?? null,
    concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    configs: results,
  };
}
