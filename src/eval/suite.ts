import { z } from "zod";
import type { CompiledWorkflow } from "../graph/workflow.ts";
import type { Expectation } from "./expectation.ts";
import type { EvalCase } from "./types.ts";

const Share = z.number().min(0).max(1);

/** One model configuration a suite runs: a model name plus the routing knobs that go with it. */
export const ModelConfig = z
  .object({
    /** Shown in reports and used as the key in baselines; e.g. `offline`, `gpt-4.1-mini`. */
    name: z.string().min(1),
    /** `offline`, `openai:<model>` or `openai-compatible:<model>@<baseURL>`. */
    model: z.string().min(1),
    /** Recorded LLM replies (relative to the suite file): replayed by default, written with --record. */
    fixture: z.string().optional(),
    /**
     * Classification suites: the classifier decides alone at or above this confidence
     * (default 0.8). Above 1 it never does: every decision goes to the LLM (LLM-only).
     */
    classifierThreshold: z.number().min(0).optional(),
    /** Classification suites: below this confidence the route escalates (default: 0.8 offline, 0.5 with an LLM). */
    minConfidence: Share.optional(),
    structuredMethod: z.enum(["jsonSchema", "functionCalling"]).optional(),
    limits: z
      .object({
        requestsPerMinute: z.number().int().positive().optional(),
        tokensPerMinute: z.number().int().positive().optional(),
        maxInFlight: z.number().int().positive().optional(),
      })
      .strict()
      .optional(),
    prices: z
      .object({ inputPerMillion: z.number().min(0), outputPerMillion: z.number().min(0) })
      .strict()
      .optional(),
  })
  .strict();
export type ModelConfig = z.infer<typeof ModelConfig>;

/** How far a run may fall behind its baseline before it counts as a regression. */
export const Tolerance = z
  .object({
    /** Newly failing cases (and expected failures that now pass) allowed. Default 0. */
    cases: z.number().int().min(0).default(0),
    /** Absolute drop allowed in pass rate, accuracy, coverage and the like. Default 0.01. */
    metrics: z.number().min(0).max(1).default(0.01),
  })
  .strict();
export type Tolerance = z.infer<typeof Tolerance>;

const isFunction = (value: unknown) => typeof value === "function";
const fn = <T>() => z.custom<T>(isFunction, { message: "expected a function" });

/** A row of a data set, as read from JSONL, JSON or CSV. */
export type DatasetRow = Readonly<Record<string, unknown>>;

const Common = {
  name: z
    .string()
    .regex(/^[A-Za-z0-9][\w-]*$/, "letters, digits, `_` and `-`, starting with a letter or digit"),
  description: z.string().default(""),
  models: z
    .array(ModelConfig)
    .min(1)
    .default([{ name: "offline", model: "offline" }]),
  /** The baseline file, relative to the suite file. */
  baseline: z.string().optional(),
  tolerance: Tolerance.default({ cases: 0, metrics: 0.01 }),
};

/** A suite over a workflow: rows of a data set become inputs, each with its expectation. */
export const WorkflowSuiteSchema = z
  .object({
    kind: z.literal("workflow"),
    ...Common,
    /** A shipped workflow's name, or (TypeScript suites) a factory given the model configuration. */
    workflow: z.union([z.string(), fn<(config: ModelConfig) => CompiledWorkflow>()]),
    /** JSONL, JSON (an array) or CSV, relative to the suite file. */
    dataset: z.string(),
    mapping: z
      .object({
        id: z.union([z.string(), fn<(row: DatasetRow, index: number) => string>()]).default("id"),
        /** A column holding the whole input, a map of input field → column, or a function. */
        input: z
          .union([z.string(), z.record(z.string(), z.string()), fn<(row: DatasetRow) => unknown>()])
          .default("input"),
        /** A column holding the expectation object, or a function. */
        expect: z.union([z.string(), fn<(row: DatasetRow) => Expectation>()]).default("expect"),
        /** Route node → the column holding its expected branch (merged into the expectation). */
        routes: z.record(z.string(), z.string()).optional(),
        tags: z.string().default("tags"),
        note: z.string().default("note"),
      })
      .strict()
      .default({ id: "id", input: "input", expect: "expect", tags: "tags", note: "note" }),
  })
  .strict();

/** A generic text-classification suite: a route whose branches are the labels. */
export const ClassificationSuiteSchema = z
  .object({
    kind: z.literal("classification"),
    ...Common,
    /** Where `train` and `test` live (relative to the suite file), overridable by an env variable or --data. */
    data: z
      .object({
        directory: z.string(),
        env: z.string().optional(),
        /** Shown when the files are missing: where to get them. */
        howToGet: z.string().optional(),
      })
      .strict()
      .optional(),
    train: z.string(),
    test: z.string(),
    textColumn: z.string().default("text"),
    labelColumn: z.string().default("label"),
    /** Test rows with this label must escalate; train rows with it teach the escalation branch. */
    outOfScopeLabel: z.string().optional(),
    /**
     * Labels left out of training: their test rows become out-of-scope cases that
     * must escalate (an out-of-scope benchmark built from an ordinary data set).
     */
    holdOutLabels: z.array(z.string().min(1)).default([]),
    /** The route node's name in reports. Default `classify`. */
    node: z.string().default("classify"),
  })
  .strict();

/** A suite file's contents, validated. */
export const EvalSuiteSchema = z.discriminatedUnion("kind", [
  WorkflowSuiteSchema,
  ClassificationSuiteSchema,
]);
/** A suite as written (defaults may be left out). */
export type EvalSuiteDefinition = z.input<typeof EvalSuiteSchema>;
/** A suite after validation, defaults filled in. */
export type ParsedSuite = z.output<typeof EvalSuiteSchema>;
/** A workflow suite after validation. */
export type ParsedWorkflowSuite = z.output<typeof WorkflowSuiteSchema>;
/** A classification suite after validation. */
export type ParsedClassificationSuite = z.output<typeof ClassificationSuiteSchema>;

/**
 * Declares an eval suite in TypeScript (export it as the module's default). JSON
 * suites take the same fields, without the functions.
 *
 * @example
 * ```ts
 * export default defineEvalSuite({
 *   kind: "workflow",
 *   name: "refunds",
 *   workflow: "support_triage",
 *   dataset: "refunds.cases.jsonl",
 *   mapping: { input: (row) => ({ customerId: row.customer, message: row.text }) },
 * });
 * ```
 */
export function defineEvalSuite(definition: EvalSuiteDefinition): EvalSuiteDefinition {
  return definition;
}

/** How a route-only suite is scored without runs: its route node, and the output a branch gives. */
export interface RouteOnly {
  readonly node: string;
  /** The workflow's output when the route chose `branch` (its escalation branch given). */
  output(branch: string, escalationBranch: string | null): unknown;
}

/** A suite ready to run: its cases and a workflow for each model configuration. */
export interface LoadedSuite {
  readonly name: string;
  readonly description: string;
  readonly kind: "workflow" | "classification";
  /** The suite file, absolute. */
  readonly file: string;
  readonly models: readonly ModelConfig[];
  /** Fixture paths of `models`, resolved (absolute), by configuration name. */
  readonly fixtures: ReadonlyMap<string, string>;
  /** The baseline file (absolute), when the suite names one. */
  readonly baseline: string | null;
  readonly tolerance: Tolerance;
  /** The name of the workflow the cases run. */
  readonly workflowName: string;
  /**
   * Set when the suite's workflow only routes (a classification suite builds it): a
   * case is then scored by the route's decision alone, without a run, unless the
   * eval asks for runs (issue 12). Its workflow output follows from the branch.
   */
  readonly routeOnly?: RouteOnly;
  /** The workflow for a model configuration (built once per distinct routing setting). */
  createWorkflow(config: ModelConfig): Promise<CompiledWorkflow>;
  loadCases(): Promise<EvalCase[]>;
}
