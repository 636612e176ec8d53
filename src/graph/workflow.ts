import type { BaseCheckpointSaver } from "@langchain/langgraph-checkpoint";
import type { z } from "zod";
import { ErrorCode, SignalboxError } from "../errors.ts";
import { parseWith } from "../validation.ts";
import { agentEffects } from "./agent-node.ts";
import { buildGraph, type WorkflowGraph } from "./build-graph.ts";
import { assertInputSize, DEFAULT_MAX_INPUT_BYTES } from "./input-size.ts";
import type { NodeSpec, SubworkflowOptions } from "./node-spec.ts";
import { createRouteDecision, type RouteDecision } from "./route-node.ts";
import type {
  AgentOptions,
  ApprovalOptions,
  ParallelOptions,
  RouteOptions,
  StateUpdate,
  StepContext,
  StepOptions,
  UndoInput,
  WorkflowState,
} from "./types.ts";
import { validateWorkflow } from "./validate-workflow.ts";
import { RESERVED_FIELDS } from "./workflow-state.ts";

/** What names and shapes a workflow. */
export interface WorkflowConfig<
  TInput extends z.ZodType,
  TOutput extends z.ZodType,
  TFields extends z.ZodRawShape,
> {
  /** Also its MCP tool name: letters, digits, `_`, `-`. */
  readonly name: string;
  readonly title?: string;
  /** Good enough for a model to decide when to call it. */
  readonly description: string;
  readonly version: string;
  readonly input: TInput;
  readonly output: TOutput;
  /** The workflow's own state fields (all optional in state). */
  readonly state?: TFields;
  /** Hard limit on supersteps per run (LangGraph's recursion limit). Default 100. */
  readonly maxSteps?: number;
  /**
   * Largest input accepted, in bytes of UTF-8 JSON, checked before the schema; the
   * input is stored with the run and in every checkpoint. Default 256 KiB. Limit
   * each field in the schema too (`z.string().max(…)`).
   */
  readonly maxInputBytes?: number;
}

/** A validated workflow, ready to run. */
export interface CompiledWorkflow<TInput = unknown, TOutput = unknown> {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly version: string;
  readonly maxSteps: number;
  /** Largest input accepted, in bytes of UTF-8 JSON. */
  readonly maxInputBytes: number;
  readonly inputSchema: z.ZodType<TInput>;
  readonly outputSchema: z.ZodType<TOutput>;
  readonly nodes: readonly NodeSpec[];
  readonly start: string;
  /** Which effect classes occur in it (for MCP annotations and dry-run plans). */
  readonly effects: { readonly writes: boolean; readonly irreversible: boolean };
  /**
   * The LangGraph graph, compiled with the given checkpointer (cached per checkpointer).
   * `inputInStore`: the run's input is kept by the run store, not in every checkpoint;
   * nodes get it from the run context (the runtime's runs; see `RunContext.runInput`).
   */
  graph(checkpointer?: BaseCheckpointSaver, options?: { inputInStore?: boolean }): WorkflowGraph;
  /**
   * Checks the input's size, then its schema.
   * @throws SignalboxError INPUT_INVALID naming each bad field, or the size, the limit and the biggest field
   */
  parseInput(value: unknown): TInput;
  /** @throws SignalboxError OUTPUT_INVALID naming each bad field */
  parseOutput(value: unknown): TOutput;
  /**
   * The decision of route `node`, made the way its node in the graph makes it (normalised
   * text, rules, the decider or cascade with its threshold, repair, default, escalation),
   * with no graph invoke and nothing stored: each decision goes to the scope's `decide`.
   * For scoring a route on many cases (classification evals, issue 12). Built (and its
   * classifier trained) on the first call per node, then reused.
   * @throws SignalboxError INPUT_INVALID when the workflow has no route node of that name
   */
  routeDecision(node: string): RouteDecision;
  /** The compensation of a node's write effect, if it declared one. */
  undoFor(node: string): ((effect: UndoInput, context: StepContext) => Promise<void>) | undefined;
}

type Infer<T extends z.ZodType> = z.infer<T>;
type Fields<T extends z.ZodRawShape> = {
  [K in keyof T]: T[K] extends z.ZodType ? z.infer<T[K]> : never;
};

/**
 * Declares a workflow node by node, then `compile()`s it to a LangGraph graph.
 *
 * @example
 * ```ts
 * const hello = defineWorkflow({
 *   name: "hello", description: "Greets", version: "1",
 *   input: z.object({ name: z.string() }), output: z.object({ text: z.string() }),
 * })
 *   .step("greet", { run: (state) => ({ output: { text: `hi ${state.input.name}` } }) })
 *   .compile();
 * ```
 */
export class WorkflowBuilder<
  TInput extends z.ZodType,
  TOutput extends z.ZodType,
  TFields extends z.ZodRawShape,
> {
  private readonly specs: NodeSpec[] = [];
  private startNode: string | undefined;

  constructor(private readonly config: WorkflowConfig<TInput, TOutput, TFields>) {}

  /** A fixed step: plain code with retry, timeout, fallback and an effect class. */
  step(
    name: string,
    options: StepOptions<State<TInput, TOutput, TFields>, Update<TOutput, TFields>>,
  ): this {
    return this.add({ kind: "step", name, options } as unknown as NodeSpec);
  }

  /** A routing step among declared branches. */
  route(name: string, options: RouteOptions<State<TInput, TOutput, TFields>>): this {
    return this.add({ kind: "route", name, options } as unknown as NodeSpec);
  }

  /** A human approval: the run waits (durably) until someone decides or the deadline passes. */
  approval(name: string, options: ApprovalOptions<State<TInput, TOutput, TFields>>): this {
    return this.add({ kind: "approval", name, options } as unknown as NodeSpec);
  }

  /** Fan-out over items or named sub-steps, with a concurrency cap, then a join. */
  parallel<Item>(
    name: string,
    options: ParallelOptions<State<TInput, TOutput, TFields>, Update<TOutput, TFields>, Item>,
  ): this {
    return this.add({ kind: "parallel", name, options } as unknown as NodeSpec);
  }

  /** Another workflow used as one step. */
  subworkflow(
    name: string,
    options: SubworkflowOptions<State<TInput, TOutput, TFields>, Update<TOutput, TFields>>,
  ): this {
    return this.add({ kind: "subworkflow", name, options } as unknown as NodeSpec);
  }

  /**
   * An agent step: a model works through a tool-calling loop over an
   * allow-list of tools, every call logged with its rationale and outcome.
   */
  agent<TAnswer = string>(
    name: string,
    options: AgentOptions<State<TInput, TOutput, TFields>, Update<TOutput, TFields>, TAnswer>,
  ): this {
    return this.add({ kind: "agent", name, options } as unknown as NodeSpec);
  }

  /** Sets the first node (default: the first one declared). */
  start(name: string): this {
    this.startNode = name;
    return this;
  }

  /**
   * Validates the graph and compiles it.
   * @throws SignalboxError WORKFLOW_INVALID listing every problem and how to fix it
   */
  compile(): CompiledWorkflow<Infer<TInput>, Infer<TOutput>> {
    const { config, specs } = this;
    const reserved = Object.keys(config.state ?? {}).filter((key) =>
      (RESERVED_FIELDS as readonly string[]).includes(key),
    );
    if (reserved.length > 0) {
      throw new SignalboxError(
        ErrorCode.WorkflowInvalid,
        `workflow "${config.name}": state field(s) ${reserved.join(", ")} are reserved; rename them.`,
      );
    }
    const limit = config.maxInputBytes;
    if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) {
      throw new SignalboxError(
        ErrorCode.WorkflowInvalid,
        `workflow "${config.name}": maxInputBytes must be a positive whole number of bytes, got ${limit}.`,
      );
    }
    validateWorkflow(config.name, specs, this.startNode);
    const start = this.startNode ?? (specs[0] as NodeSpec).name;
    return compiledWorkflow(config, [...specs], start);
  }

  private add(spec: NodeSpec): this {
    this.specs.push(spec);
    return this;
  }
}

type State<I extends z.ZodType, O extends z.ZodType, F extends z.ZodRawShape> = WorkflowState<
  Infer<I>,
  Fields<F>,
  Infer<O>
>;
type Update<O extends z.ZodType, F extends z.ZodRawShape> = StateUpdate<Fields<F>, Infer<O>>;

function compiledWorkflow<
  TInput extends z.ZodType,
  TOutput extends z.ZodType,
  TFields extends z.ZodRawShape,
>(
  config: WorkflowConfig<TInput, TOutput, TFields>,
  nodes: NodeSpec[],
  start: string,
): CompiledWorkflow<Infer<TInput>, Infer<TOutput>> {
  const graphs = new WeakMap<object, WorkflowGraph>();
  const storedInputGraphs = new WeakMap<object, WorkflowGraph>();
  const maxInputBytes = config.maxInputBytes ?? DEFAULT_MAX_INPUT_BYTES;
  const unsaved = {};
  const routeDecisions = new Map<string, RouteDecision>();
  /** One decision per route node, shared by the graphs below and by evals that score it alone. */
  const routeDecision = (node: string): RouteDecision => {
    let decide = routeDecisions.get(node);
    if (decide === undefined) {
      const spec = nodes.find((candidate) => candidate.name === node);
      if (spec?.kind !== "route") {
        const routes = nodes.filter((candidate) => candidate.kind === "route");
        throw new SignalboxError(
          ErrorCode.InputInvalid,
          `node: workflow "${config.name}" has no route node "${node}"; its routes: ${routes.map((route) => route.name).join(", ") || "none"}`,
        );
      }
      decide = createRouteDecision(spec.name, spec.options);
      routeDecisions.set(node, decide);
    }
    return decide;
  };
  const classes = nodes.flatMap((spec) =>
    spec.kind === "step"
      ? [spec.options.effect ?? "pure"]
      : spec.kind === "agent"
        ? agentEffects(spec.options)
        : [],
  );
  return {
    name: config.name,
    title: config.title ?? config.name,
    description: config.description,
    version: config.version,
    maxSteps: config.maxSteps ?? 100,
    maxInputBytes,
    inputSchema: config.input as z.ZodType<Infer<TInput>>,
    outputSchema: config.output as z.ZodType<Infer<TOutput>>,
    nodes,
    start,
    effects: {
      writes: classes.some((c) => c === "write" || c === "irreversible"),
      irreversible: classes.includes("irreversible"),
    },
    graph(checkpointer, options) {
      const key = checkpointer ?? unsaved;
      const inputInStore = options?.inputInStore === true;
      const cache = inputInStore ? storedInputGraphs : graphs;
      let graph = cache.get(key);
      if (graph === undefined) {
        graph = buildGraph({
          input: config.input,
          output: config.output,
          fields: config.state ?? {},
          nodes,
          start,
          checkpointer,
          inputInStore,
          routeDecision,
        });
        cache.set(key, graph);
      }
      return graph;
    },
    parseInput: (value) => {
      const what = `input of workflow "${config.name}"`;
      assertInputSize(value, maxInputBytes, what);
      return parseWith(config.input, value, ErrorCode.InputInvalid, what) as Infer<TInput>;
    },
    parseOutput: (value) =>
      parseWith(
        config.output,
        value,
        ErrorCode.OutputInvalid,
        `output of workflow "${config.name}"`,
      ) as Infer<TOutput>,
    routeDecision,
    undoFor(node) {
      // Effects inside a sub-workflow are logged as `<node>/<child node>`.
      const [head = node, ...rest] = node.split("/");
      const spec = nodes.find((candidate) => candidate.name === head);
      if (rest.length > 0)
        return spec?.kind === "subworkflow"
          ? spec.options.workflow.undoFor(rest.join("/"))
          : undefined;
      return spec?.kind === "step" ? spec.options.undo : undefined;
    },
  };
}

/** Starts declaring a workflow. */
export function defineWorkflow<
  TInput extends z.ZodType,
  TOutput extends z.ZodType,
  TFields extends z.ZodRawShape = Record<never, never>,
>(config: WorkflowConfig<TInput, TOutput, TFields>): WorkflowBuilder<TInput, TOutput, TFields> {
  return new WorkflowBuilder(config);
}
