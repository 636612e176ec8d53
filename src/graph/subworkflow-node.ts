import { beginNodeCall, type NodeConfig, runNode } from "./node-call.ts";
import type { SubworkflowOptions } from "./node-spec.ts";
import { contextValue } from "./run-context.ts";

type AnyState = Record<string, unknown>;

/**
 * A workflow used as a step: the child graph runs inside this node as a
 * LangGraph subgraph (own checkpoint namespace), logging its decisions under
 * `<node>/` in the parent run.
 */
export function createSubworkflowNode(
  name: string,
  options: SubworkflowOptions<AnyState, Record<string, unknown>>,
) {
  return async (state: AnyState, config?: NodeConfig) => {
    const call = beginNodeCall(config, name);
    return runNode(call, async () => {
      const child = options.workflow;
      const childInput = child.parseInput(options.input(state));
      const childContext = call.context.child(`${name}/`);
      const final = (await child
        .graph()
        .invoke(
          { input: childInput },
          { context: contextValue(childContext), signal: call.signal },
        )) as AnyState;
      const output = child.parseOutput(final.output);
      return { update: options.output?.(state, output) ?? {} };
    });
  };
}
