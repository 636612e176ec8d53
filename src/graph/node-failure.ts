import { isNodeTimeoutError } from "@langchain/langgraph";

/** The node each thrown error left first (the innermost, for sub-workflows). */
const failedNodes = new WeakMap<object, string>();

/** Remembers that `error` was raised in `node`, unless an inner node claimed it already. */
export function markFailedNode(error: unknown, node: string): void {
  if (typeof error === "object" && error !== null && !failedNodes.has(error))
    failedNodes.set(error, node);
}

/**
 * The node an error was raised in: the one whose body threw it, or the node a
 * LangGraph timeout names; null when it came from outside any node.
 */
export function failedNodeOf(error: unknown): string | null {
  if (typeof error === "object" && error !== null) {
    const node = failedNodes.get(error);
    if (node !== undefined) return node;
  }
  return isNodeTimeoutError(error) ? error.node : null;
}
