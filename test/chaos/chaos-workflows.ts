import { existsSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { z } from "zod";
import type { StepContext } from "../../src/graph/types.ts";
import { defineWorkflow } from "../../src/graph/workflow.ts";
import type { FaultPlan } from "./faults.ts";

export const CHAOS_WORKFLOW = "chaos_ledger";

/**
 * The downstream system of the chaos workflow, in `<home>/chaos-ledger.db`:
 * `performances` gets a row every time an effect's work is done (it does not
 * deduplicate, so it shows how often the runtime asked), `actions` keeps one row per
 * idempotency key (what a downstream honouring the key would hold: the business
 * outcome). A second `actions` row for one run and node means the key changed between
 * tries: an effect performed twice.
 */
export class ChaosLedger {
  private readonly db: Database.Database;

  constructor(home: string) {
    this.db = new Database(join(home, "chaos-ledger.db"));
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("busy_timeout = 5000");
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS performances (
        id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL, run_id TEXT NOT NULL,
        node TEXT NOT NULL, pid INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS actions (
        key TEXT PRIMARY KEY, run_id TEXT NOT NULL, node TEXT NOT NULL, pid INTEGER NOT NULL);`);
  }

  perform(context: StepContext): void {
    const row = [context.idempotencyKey, context.runId, context.node, process.pid];
    this.db.transaction(() => {
      this.db
        .prepare("INSERT INTO performances (key, run_id, node, pid) VALUES (?, ?, ?, ?)")
        .run(...row);
      this.db
        .prepare("INSERT OR IGNORE INTO actions (key, run_id, node, pid) VALUES (?, ?, ?, ?)")
        .run(...row);
    })();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

export interface ChaosLedgerRow {
  readonly key: string;
  readonly run_id: string;
  readonly node: string;
  readonly pid: number;
}

/** Reads the chaos ledger of `home` (empty when no effect ran yet). */
export function readChaosLedger(home: string): {
  performances: ChaosLedgerRow[];
  actions: ChaosLedgerRow[];
} {
  const path = join(home, "chaos-ledger.db");
  if (!existsSync(path)) return { performances: [], actions: [] };
  const db = new Database(path, { readonly: true });
  try {
    const all = (table: string) =>
      db
        .prepare(`SELECT key, run_id, node, pid FROM ${table} ORDER BY rowid`)
        .all() as ChaosLedgerRow[];
    return { performances: all("performances"), actions: all("actions") };
  } finally {
    db.close();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * reserve (write) → lookup (read tool: errors and hangs injected, retried, timed out)
 * → route → gate (approval above 50) → charge (write) → notify (write).
 */
export function createChaosWorkflow(ledger: ChaosLedger, plan: FaultPlan, effectMs: number) {
  const effect = async (context: StepContext) => {
    await sleep(effectMs);
    ledger.perform(context);
  };
  return defineWorkflow({
    name: CHAOS_WORKFLOW,
    description: "writes, a flaky tool, a route and an approval, under injected faults",
    version: "1",
    input: z.object({ orderId: z.string(), amount: z.number() }),
    output: z.object({ orderId: z.string(), tier: z.string(), decision: z.string() }),
    state: { rate: z.number() },
  })
    .step("reserve", {
      effect: "write",
      describe: (state) => ({ orderId: state.input.orderId }),
      run: async (_state, context) => {
        await effect(context);
        return {};
      },
      next: "lookup",
    })
    .step("lookup", {
      effect: "read",
      retry: { maxAttempts: 3, initialIntervalMs: 5, jitter: false },
      timeoutMs: 1_000,
      run: async (_state, context) => {
        if (plan.strike("tool_error", context.node))
          throw new Error("the rate service answered 503");
        if (plan.strike("tool_timeout", context.node)) await sleep(5_000);
        return { rate: 1.25 };
      },
      next: "choose",
    })
    .route("choose", {
      branches: {
        big: { description: "amounts above 50", to: "gate" },
        small: { description: "everything else", to: "charge" },
      },
      rules: [
        {
          name: "big_amount",
          when: (state) => state.input.amount > 50,
          branch: "big",
          reason: "the amount is above 50",
        },
      ],
      decider: null,
      defaultBranch: "small",
    })
    .approval("gate", {
      message: (state) => `charge ${state.input.amount} for ${state.input.orderId}?`,
      on: { rejected: "notify" },
      next: "charge",
    })
    .step("charge", {
      effect: "write",
      describe: (state) => ({
        orderId: state.input.orderId,
        amount: state.input.amount * (state.rate ?? 1),
      }),
      run: async (_state, context) => {
        await effect(context);
        return {};
      },
      next: "notify",
    })
    .step("notify", {
      effect: "write",
      describe: (state) => ({ orderId: state.input.orderId }),
      run: async (state, context) => {
        await effect(context);
        return {
          output: {
            orderId: state.input.orderId,
            tier: state.routes.choose?.branch ?? "none",
            decision: state.approvals.gate?.status ?? "not_asked",
          },
        };
      },
    })
    .compile();
}
