import { isGraphBubbleUp, Send } from "@langchain/langgraph";
import { ErrorCode, errorMessage, SignalboxError } from "../errors.ts";
import { beginNodeCall, type NodeCall, type NodeConfig, runNode } from "./node-call.ts";
import type { ParallelBranch, ParallelOptions, StepContext } from "./types.ts";

type AnyState = Record<string, unknown>;
type AnyParallel = ParallelOptions<AnyState, Record<string, unknown>, unknown>;

/** Names of the helper nodes a parallel node compiles into. */
export const parallelNodeNames = (name: string) => ({
  worker: `${name}__item`,
  join: `${name}__join`,
});

/** Results of fan-out items, per parallel node, merged as they arrive. */
export type ParallelResults = Record<string, Record<string, unknown> | null>;

/** Merges fan-out results; `null` for a node clears it (after its join). */
export function mergeParallelResults(
  current: ParallelResults,
  update: ParallelResults,
): ParallelResults {
  const next: ParallelResults = { ...current };
  for (const [node, results] of Object.entries(update)) {
    if (results === null) delete next[node];
    else next[node] = { ...(next[node] ?? {}), ...results };
  }
  return next;
}

/** A counting semaphore, so a fan-out never has more than `limit` items in flight. */
class Semaphore {
  private active = 0;
  private readonly queue: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  async use<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.active += 1;
    try {
      return await work();
    } finally {
      this.active -= 1;
      this.queue.shift()?.();
    }
  }
}

interface WorkItem {
  readonly index: number;
  readonly name: string;
  readonly item: unknown;
  readonly state: AnyState;
}

/** The fan-out node: one LangGraph `Send` per item (or named sub-step). */
export function createFanOutNode(name: string, options: AnyParallel) {
  const { worker, join } = parallelNodeNames(name);
  return async (state: AnyState, config?: NodeConfig) => {
    const call = beginNodeCall(config, name);
    return runNode(call, async () => {
      const named = options.branches ? Object.keys(options.branches) : undefined;
      const items = named ?? options.items?.(state) ?? [];
      if (items.length === 0) return { update: {}, goto: join };
      const sends = items.map((item, index) => {
        const work: WorkItem = { index, name: named?.[index] ?? String(index), item, state };
        return new Send(worker, work);
      });
      return { update: {}, goto: sends };
    });
  };
}

/** Runs `work` with the signal aborted and a STEP_FAILED error after `timeoutMs`. */
async function withTimeout<T>(
  work: (signal: AbortSignal | undefined) => Promise<T>,
  timeoutMs: number | undefined,
  outer: AbortSignal | undefined,
  what: string,
): Promise<T> {
  if (timeoutMs === undefined) return work(outer);
  const controller = new AbortController();
  const abort = () => controller.abort(outer?.reason);
  outer?.addEventListener("abort", abort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const error = new SignalboxError(
        ErrorCode.StepFailed,
        `${what} took longer than its timeout of ${timeoutMs} ms`,
        { retryable: true },
      );
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    return await Promise.race([work(controller.signal), expired]);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener("abort", abort);
  }
}

/** One named sub-step: its timeout, and its fallback (logged as a decision) when it fails. */
async function runBranch(
  call: NodeCall,
  name: string,
  branch: ParallelBranch<AnyState>,
  state: AnyState,
): Promise<unknown> {
  const spec = typeof branch === "function" ? { run: branch } : branch;
  const context = call.stepContext();
  const what = `parallel sub-step "${call.node}"`;
  try {
    return await withTimeout(
      async (signal) => spec.run(state, { ...context, signal } as StepContext),
      "timeoutMs" in spec ? spec.timeoutMs : undefined,
      context.signal,
      what,
    );
  } catch (error) {
    const fallback = "fallback" in spec ? spec.fallback : undefined;
    if (fallback === undefined || isGraphBubbleUp(error)) throw error;
    call.decide({
      node: call.node,
      kind: "fallback",
      options: [{ name: "fallback" }, { name: "fail" }],
      choice: "fallback",
      reason: `sub-step ${name} failed, its fallback stands in: ${errorMessage(error)}`,
      confidence: null,
      decidedBy: "rule",
    });
    return fallback(state, error instanceof Error ? error : new Error(errorMessage(error)));
  }
}

/** The worker node: runs one item under the node's concurrency cap. */
export function createWorkerNode(name: string, options: AnyParallel) {
  const semaphores = new WeakMap<object, Semaphore>();
  const limit = options.concurrency ?? Number.POSITIVE_INFINITY;
  return async (work: WorkItem, config?: NodeConfig) => {
    const call = beginNodeCall(config, name, `[${work.name}]`);
    let semaphore = semaphores.get(call.context);
    if (semaphore === undefined) {
      semaphore = new Semaphore(limit);
      semaphores.set(call.context, semaphore);
    }
    const gate = semaphore;
    return runNode(call, async () => {
      const result = await gate.use(async () => {
        const branch = options.branches?.[work.name];
        if (branch) return runBranch(call, work.name, branch, work.state);
        if (!options.run) throw new Error(`parallel node "${name}" has neither run nor branches`);
        return options.run(work.item, call.stepContext());
      });
      return { update: { parallel: { [name]: { [String(work.index)]: result ?? null } } } };
    });
  };
}

/** The join node: hands the ordered results to `join` and clears them. */
export function createJoinNode(name: string, options: AnyParallel) {
  return async (state: AnyState, config?: NodeConfig) => {
    const call = beginNodeCall(config, `${name}__join`);
    return runNode(call, async () => {
      const collected = ((state.parallel as ParallelResults | undefined)?.[name] ?? {}) as Record<
        string,
        unknown
      >;
      const indexes = Object.keys(collected)
        .map(Number)
        .sort((a, b) => a - b);
      const results = indexes.map((index) => collected[String(index)]);
      const names = options.branches
        ? indexes.map((index) => Object.keys(options.branches ?? {})[index] ?? String(index))
        : indexes.map(String);
      const update = options.join(state, results, names) ?? {};
      return { update: { ...update, parallel: { [name]: null } } };
    });
  };
}
