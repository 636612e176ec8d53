import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunEvent } from "../../src/graph/events.ts";
import type { CompiledWorkflow } from "../../src/graph/workflow.ts";
import { WorkflowRegistry } from "../../src/runtime/registry.ts";
import { Runtime, type RuntimeOptions } from "../../src/runtime/runtime.ts";
import { SqliteRunStore } from "../../src/store/sqlite-store.ts";

/** A fresh data directory on disk, removed by the returned cleanup. */
export function tempHome(prefix = "signalbox-test-"): { home: string; cleanup: () => void } {
  const home = mkdtempSync(join(tmpdir(), prefix));
  return { home, cleanup: () => rmSync(home, { recursive: true, force: true }) };
}

/** A runtime over a real SQLite file in `home`, collecting every event. */
export function openTestRuntime(
  home: string,
  workflows: readonly CompiledWorkflow[],
  options: number | Pick<RuntimeOptions, "leaseMs" | "llm" | "chat" | "classifierCache"> = {},
) {
  const store = new SqliteRunStore(join(home, "signalbox.db"));
  const settings = typeof options === "number" ? { leaseMs: options } : options;
  const runtime = new Runtime({ store, workflows: new WorkflowRegistry(workflows), ...settings });
  const events: RunEvent[] = [];
  runtime.onEvent((event) => events.push(event));
  return { runtime, store, events };
}
