import { ErrorCode, SignalboxError } from "../errors.ts";
import type { Tool } from "./define-tool.ts";

/**
 * Tools by name, for agents that list their allow-list by name
 * (`tools: ["lookup_order"], registry`).
 *
 * @example
 * ```ts
 * const registry = new ToolRegistry([lookupOrder, sendEmail]);
 * registry.get("lookup_order");
 * ```
 */
export class ToolRegistry {
  private readonly tools = new Map<string, Tool>();

  constructor(tools: readonly Tool[] = []) {
    for (const tool of tools) this.register(tool);
  }

  /** @throws SignalboxError WORKFLOW_INVALID when the name is taken */
  register(tool: Tool): this {
    if (this.tools.has(tool.name)) {
      throw new SignalboxError(
        ErrorCode.WorkflowInvalid,
        `a tool named "${tool.name}" is already registered; give each tool a unique name`,
      );
    }
    this.tools.set(tool.name, tool);
    return this;
  }

  has(name: string): boolean {
    return this.tools.has(name);
  }

  /** @throws SignalboxError WORKFLOW_INVALID naming the registered tools */
  get(name: string): Tool {
    const tool = this.tools.get(name);
    if (tool === undefined) {
      throw new SignalboxError(
        ErrorCode.WorkflowInvalid,
        `no tool named "${name}"; registered tools: ${this.names().join(", ") || "none"}`,
        { data: { available: this.names() } },
      );
    }
    return tool;
  }

  list(): Tool[] {
    return [...this.tools.values()];
  }

  names(): string[] {
    return [...this.tools.keys()];
  }
}
