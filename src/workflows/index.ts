import { join } from "node:path";
import type { CompiledWorkflow } from "../graph/workflow.ts";
import { SupportData } from "./support-triage/support-data.ts";
import { createSupportTriage } from "./support-triage/workflow.ts";

/** What the shipped workflows need from their host. */
export interface BuiltinWorkflowOptions {
  /** The data directory; the support data set lives in `support.db` there. */
  readonly home: string;
}

/** The workflows signalbox ships, ready to register. */
export function createBuiltinWorkflows(options: BuiltinWorkflowOptions): CompiledWorkflow[] {
  const support = new SupportData(join(options.home, "support.db"));
  return [createSupportTriage({ data: support }) as CompiledWorkflow];
}

export { createSupportTriage, SupportData };
