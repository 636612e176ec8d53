import { ErrorCode, SignalboxError } from "../errors.ts";
import type { CompiledWorkflow } from "../graph/workflow.ts";

/**
 * The workflows a runtime can run, by name and version. Several versions of one
 * workflow may be registered: new runs take the newest registered, and a run resumes
 * only on the version it was started with.
 */
export class WorkflowRegistry {
  private readonly workflows = new Map<string, CompiledWorkflow>();
  private readonly versions = new Map<string, CompiledWorkflow>();

  constructor(workflows: readonly CompiledWorkflow[] = []) {
    for (const workflow of workflows) this.register(workflow);
  }

  /** @throws SignalboxError WORKFLOW_INVALID when this name and version are taken */
  register(workflow: CompiledWorkflow): this {
    const key = versionKey(workflow.name, workflow.version);
    if (this.versions.has(key)) {
      throw new SignalboxError(
        ErrorCode.WorkflowInvalid,
        `a workflow named "${workflow.name}" is already registered at version ${workflow.version}`,
      );
    }
    this.versions.set(key, workflow);
    this.workflows.set(workflow.name, workflow);
    return this;
  }

  /** The newest registered version of `name`. @throws SignalboxError WORKFLOW_NOT_FOUND naming the registered ones */
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

  /** Exactly `version` of `name`, or undefined. */
  find(name: string, version: string): CompiledWorkflow | undefined {
    return this.versions.get(versionKey(name, version));
  }

  /**
   * The version a run is pinned to.
   * @throws SignalboxError WORKFLOW_NOT_FOUND, VERSION_UNAVAILABLE naming the registered versions
   */
  resolve(name: string, version: string): CompiledWorkflow {
    const found = this.find(name, version);
    if (found !== undefined) return found;
    const registered = [...this.versions.values()]
      .filter((workflow) => workflow.name === this.get(name).name)
      .map((workflow) => workflow.version);
    throw new SignalboxError(
      ErrorCode.VersionUnavailable,
      `the run is pinned to ${name} version ${version}, which this process does not have (registered: ${registered.join(", ")}); register that version too, or run it where it is registered`,
      { data: { workflow: name, version, registered } },
    );
  }

  /** The newest version of each workflow. */
  list(): CompiledWorkflow[] {
    return [...this.workflows.values()];
  }

  /** Every registered version of `name` (none when it is unknown). */
  versionsOf(name: string): string[] {
    return [...this.versions.values()]
      .filter((workflow) => workflow.name === name)
      .map((workflow) => workflow.version);
  }

  names(): string[] {
    return [...this.workflows.keys()];
  }
}

function versionKey(name: string, version: string): string {
  return `${name}@${version}`;
}
