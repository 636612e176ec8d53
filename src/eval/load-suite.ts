import { existsSync, readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, dirname, extname, isAbsolute, resolve } from "node:path";
import { ErrorCode, errorMessage, SignalboxError } from "../errors.ts";
import type { CompiledWorkflow } from "../graph/workflow.ts";
import { importDefault } from "../import-module.ts";
import { packageFile } from "../package-files.ts";
import { parseWith } from "../validation.ts";
import {
  type ClassificationData,
  classificationOutput,
  createClassificationWorkflow,
  loadClassificationData,
  resolveDataDirectory,
  routingSettings,
} from "./classification-suite.ts";
import {
  EvalSuiteSchema,
  type LoadedSuite,
  type ModelConfig,
  type ParsedClassificationSuite,
  type ParsedSuite,
  type ParsedWorkflowSuite,
} from "./suite.ts";
import { type HostedWorkflows, loadWorkflowCases, workflowFactory } from "./workflow-suite.ts";

/** Where suites are looked up by name, and how their data is found. */
export interface LoadSuiteOptions {
  /** Suites by name are looked up in `<cwd>/evals`, then in the evals shipped with signalbox. */
  readonly cwd?: string;
  /** Environment variables a suite may name for its data directory. */
  readonly environment?: Readonly<Record<string, string | undefined>>;
  /** A data directory (classification suites) or data set file (workflow suites) to use instead. */
  readonly dataPath?: string;
  /** Workflows a suite may name besides the shipped ones: the project's (`signalbox.config.ts`). */
  readonly hosted?: HostedWorkflows;
}

const SUITE_EXTENSIONS = [".ts", ".mts", ".json"];

function searchDirectories(cwd: string): string[] {
  return [...new Set([resolve(cwd, "evals"), packageFile("evals")])];
}

/** The suites found by name: `<name>.ts` or `<name>.json` directly in an evals directory. */
export function listEvalSuites(cwd = process.cwd()): { name: string; file: string }[] {
  const found = new Map<string, string>();
  for (const directory of searchDirectories(cwd)) {
    if (!existsSync(directory)) continue;
    for (const entry of readdirSync(directory).sort()) {
      const extension = extname(entry);
      const name = basename(entry, extension);
      if (SUITE_EXTENSIONS.includes(extension) && !name.includes(".") && !found.has(name))
        found.set(name, resolve(directory, entry));
    }
  }
  return [...found].map(([name, file]) => ({ name, file }));
}

/**
 * The suite file for a name (from the evals directories) or a path anywhere on disk.
 * @throws SignalboxError INPUT_INVALID listing the suites found
 */
export function findSuiteFile(nameOrPath: string, cwd = process.cwd()): string {
  const looksLikePath =
    isAbsolute(nameOrPath) ||
    /[\\/]/.test(nameOrPath) ||
    SUITE_EXTENSIONS.includes(extname(nameOrPath));
  if (looksLikePath) {
    const file = resolve(cwd, nameOrPath);
    if (existsSync(file)) return file;
    throw new SignalboxError(ErrorCode.InputInvalid, `no suite file at ${file}`);
  }
  const match = listEvalSuites(cwd).find((suite) => suite.name === nameOrPath);
  if (match !== undefined) return match.file;
  const names = listEvalSuites(cwd).map((suite) => suite.name);
  throw new SignalboxError(
    ErrorCode.InputInvalid,
    `no eval suite named "${nameOrPath}"; available: ${names.join(", ") || "none"} (or pass a path to a suite file)`,
  );
}

async function readSuiteFile(file: string): Promise<unknown> {
  try {
    if (extname(file) === ".json") return JSON.parse(await readFile(file, "utf8")) as unknown;
    return await importDefault(file);
  } catch (error) {
    throw new SignalboxError(
      ErrorCode.ConfigInvalid,
      `cannot load the suite ${file}: ${errorMessage(error)}`,
      { cause: error },
    );
  }
}

function resolveFixtures(models: readonly ModelConfig[], directory: string): Map<string, string> {
  const names = new Set<string>();
  const fixtures = new Map<string, string>();
  for (const model of models) {
    if (names.has(model.name))
      throw new SignalboxError(
        ErrorCode.ConfigInvalid,
        `two model configurations are named "${model.name}"; names must be unique`,
      );
    names.add(model.name);
    if (model.fixture !== undefined) fixtures.set(model.name, resolve(directory, model.fixture));
  }
  return fixtures;
}

function commonParts(suite: ParsedSuite, file: string) {
  const directory = dirname(file);
  return {
    name: suite.name,
    description: suite.description,
    kind: suite.kind,
    file,
    models: suite.models,
    fixtures: resolveFixtures(suite.models, directory),
    baseline: suite.baseline === undefined ? null : resolve(directory, suite.baseline),
    tolerance: suite.tolerance,
  };
}

function workflowSuite(
  suite: ParsedWorkflowSuite,
  file: string,
  options: LoadSuiteOptions,
): LoadedSuite {
  const create = workflowFactory(suite.workflow, options.hosted);
  const datasetPath = options.dataPath ?? resolve(dirname(file), suite.dataset);
  const first = suite.models[0] as ModelConfig;
  return {
    ...commonParts(suite, file),
    workflowName: typeof suite.workflow === "string" ? suite.workflow : create(first).name,
    createWorkflow: async (config) => create(config),
    loadCases: () => loadWorkflowCases(suite, datasetPath),
  };
}

function classificationSuite(
  suite: ParsedClassificationSuite,
  file: string,
  options: LoadSuiteOptions,
): LoadedSuite {
  const directory = resolveDataDirectory(suite, dirname(file), options);
  let data: Promise<ClassificationData> | undefined;
  const load = () => {
    data ??= loadClassificationData(suite, directory);
    return data;
  };
  const built = new Map<string, CompiledWorkflow>();
  return {
    ...commonParts(suite, file),
    workflowName: `eval_${suite.name.replaceAll(/[^\w-]/g, "_")}`,
    routeOnly: {
      node: suite.node,
      output: classificationOutput,
    },
    async createWorkflow(config) {
      const key = JSON.stringify(routingSettings(config));
      const existing = built.get(key);
      if (existing !== undefined) return existing;
      const workflow = createClassificationWorkflow(suite, await load(), config);
      built.set(key, workflow);
      return workflow;
    },
    loadCases: async () => [...(await load()).cases],
  };
}

/**
 * Loads a suite by name or path and validates it.
 * @throws SignalboxError INPUT_INVALID (no such suite), CONFIG_INVALID (invalid suite or missing data)
 */
export async function loadEvalSuite(
  nameOrPath: string,
  options: LoadSuiteOptions = {},
): Promise<LoadedSuite> {
  const file = findSuiteFile(nameOrPath, options.cwd);
  const raw = await readSuiteFile(file);
  const suite = parseWith(EvalSuiteSchema, raw, ErrorCode.ConfigInvalid, `suite ${file}`);
  const resolved = {
    ...options,
    dataPath:
      options.dataPath === undefined
        ? undefined
        : resolve(options.cwd ?? process.cwd(), options.dataPath),
  };
  return suite.kind === "workflow"
    ? workflowSuite(suite, file, resolved)
    : classificationSuite(suite, file, resolved);
}
