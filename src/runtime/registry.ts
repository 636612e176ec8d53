import { ErrorCode, SignalboxError } from "../errors.ts";
import type { CompiledWorkflow } from "../graph/workflow.ts";

/**
 * The workflows a runtime can run, by name and version. Several versions of one
 * workflow may be registered: new runs take the newest registered, and a run resumes
 * only on the version it was started with. A workflow may also be registered by name
 * with a factory ({@link registerLazy}), compiled the first time that name is looked up,
 * so a process that runs one workflow does not compile (or train the classifiers of)
 * all of them.
 */
export class WorkflowRegistry {
  private readonly workflows = new Map<string, CompiledWorkflow>();
  private readonly versions = new Map<string, CompiledWorkflow>();
  /** Names registered with a factory and not compiled yet. */
  private readonly pending = new Map<string, () => CompiledWorkflow>();
  /** Every name, in the order it was first registered (compiled or not). */
  private readonly order: string[] = [];

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
    if (this.pending.has(workflow.name)) this.compile(workflow.name);
    this.versions.set(key, workflow);
    if (!this.order.includes(workflow.name)) this.order.push(workflow.name);
    this.workflows.set(workflow.name, workflow);
    return this;
  }

  /**
   * Registers the workflow `name` without compiling it: `create` runs the first time
   * the name is looked up ({@link get}, {@link find}, {@link resolve}, {@link list},
   * {@link versionsOf}), and its workflow is then registered as by {@link register}.
   * @throws SignalboxError WORKFLOW_INVALID when `name` is registered already, or
   *   (on first use) when `create` returns a workflow of another name
   */
  registerLazy(name: string, create: () => CompiledWorkflow): this {
    if (this.order.includes(name)) {
      throw new SignalboxError(
        ErrorCode.WorkflowInvalid,
        `a workflow named "${name}" is already registered`,
      );
    }
    this.pending.set(name, create);
    this.order.push(name);
    return this;
  }

  /** Compiles `name` when it was registered with a factory and is not compiled yet. */
  private compile(name: string): void {
    const create = this.pending.get(name);
    if (create === undefined) return;
    const workflow = create();
    if (workflow.name !== name) {
      throw new SignalboxError(
        ErrorCode.WorkflowInvalid,
        `the workflow registered as "${name}" compiled as "${workflow.name}"`,
      );
    }
    this.pending.delete(name);
    this.register(workflow);
  }

  /** The newest registered version of `name`. @throws SignalboxError WORKFLOW_NOT_FOUND naming the registered ones */
  get(name: string): CompiledWorkflow {
    this.compile(name);
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
    this.compile(name);
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
    return this.order.map((name) => this.get(name));
  }

  /** Every registered version of `name` (none when it is unknown). */
  versionsOf(name: string): string[] {
    this.compile(name);
    return [...this.versions.values()]
      .filter((workflow) => workflow.name === name)
      .map((workflow) => workflow.version);
  }

  /** The registered names, compiled or not (compiles nothing). */
  names(): string[] {
    return [...this.order];
  }
}

function versionKey(name: string, version: string): string {
  return `${name}@${version}`;
}
