import { ErrorCode, SignalboxError } from "../errors.ts";
import type { CompiledWorkflow } from "../graph/workflow.ts";

/** The workflows a runtime can run, by name. */
export class WorkflowRegistry {
  private readonly workflows = new Map<string, CompiledWorkflow>();

  constructor(workflows: readonly CompiledWorkflow[] = []) {
    for (const workflow of workflows) this.register(workflow);
  }

  /** @throws SignalboxError WORKFLOW_INVALID when the name is taken */
  register(workflow: CompiledWorkflow): this {
    if (this.workflows.has(workflow.name)) {
      throw new SignalboxError(
        ErrorCode.WorkflowInvalid,
        `a workflow named "${workflow.name}" is already registered`,
      );
    }
    this.workflows.set(workflow.name, workflow);
    return this;
  }

  /** @throws SignalboxError WORKFLOW_NOT_FOUND naming the registered ones */
  get(name: string): CompiledWorkflow {
    const workflow = this.workflows.get(name);
    if (workflow === undefined) {
      throw new SignalboxError(
        ErrorCode.WorkflowNotFound,
        `no workflow named "${name}"; registered: ${this.names().join(", ") || "none"}`,
        { data: { available: this.names() } },
      );
    }
    return workflow;
  }

  list(): CompiledWorkflow[] {
    return [...this.workflows.values()];
  }

  names(): string[] {
    return [...this.workflows.keys()];
  }
}
