import { join } from "node:path";
import { createLogger } from "../runtime/logger.ts";
import { WorkflowRegistry } from "../runtime/registry.ts";
import { Runtime } from "../runtime/runtime.ts";
import { SqliteRunStore } from "../store/sqlite-store.ts";
import { createBuiltinWorkflows } from "../workflows/index.ts";
import { readSettings } from "./environment.ts";
import type { GlobalFlags } from "./program.ts";

/** Opens the runtime over the SQLite file in the data directory, with the shipped workflows. */
export async function openRuntime(
  flags: GlobalFlags,
  environment: NodeJS.ProcessEnv,
): Promise<Runtime> {
  const settings = readSettings(flags, environment);
  const logger = createLogger(settings.logLevel);
  const store = new SqliteRunStore(join(settings.home, "signalbox.db"));
  const workflows = new WorkflowRegistry(createBuiltinWorkflows({ home: settings.home }));
  return new Runtime({ store, workflows, logger });
}
