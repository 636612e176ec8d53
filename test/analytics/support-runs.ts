import { join } from "node:path";
import type { Runtime } from "../../src/runtime/runtime.ts";
import type { SqliteRunStore } from "../../src/store/sqlite-store.ts";
import { SupportData } from "../../src/workflows/support-triage/support-data.ts";
import { createSupportTriage } from "../../src/workflows/support-triage/workflow.ts";
import { openTestRuntime, tempHome } from "../support/runtime.ts";

/** Messages run through the shipped support_triage workflow, offline, on a real SQLite store. */
export const SUPPORT_MESSAGES = {
  invoice: ["C-1003", "How do I download last month's invoice?"],
  refund: ["C-1007", "Please refund order 5040, it was a mistake"],
  /** The offline classifier gets this one wrong (account_change, low confidence). */
  receipt: ["C-1003", "I need a receipt for my accountant"],
  unknown: ["C-9999", "Where is my order?"],
  seat: ["C-1008", "my colleague left, remove her seat"],
} as const satisfies Record<string, readonly [string, string]>;

export type SupportCase = keyof typeof SUPPORT_MESSAGES;

/** A home with a runtime over support_triage and the runs of {@link SUPPORT_MESSAGES}, by case. */
export async function recordSupportRuns() {
  const temp = tempHome("signalbox-analytics-");
  const data = new SupportData(join(temp.home, "support.db"));
  const { runtime, store } = openTestRuntime(temp.home, [createSupportTriage({ data }) as never]);
  const runs = {} as Record<SupportCase, string>;
  for (const [name, [customerId, message]] of Object.entries(SUPPORT_MESSAGES)) {
    const run = await runtime.start("support_triage", { customerId, message });
    runs[name as SupportCase] = run.id;
  }
  return {
    home: temp.home,
    runtime: runtime as Runtime,
    store: store as SqliteRunStore,
    data,
    runs,
    async close() {
      await runtime.close();
      data.close();
      temp.cleanup();
    },
  };
}
