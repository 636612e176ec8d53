import { join } from "node:path";
import type { CompiledWorkflow } from "../../src/graph/workflow.ts";
import { WorkflowRegistry } from "../../src/runtime/registry.ts";
import { createSupportTriage, SupportData } from "../../src/workflows/index.ts";
import { fleetWorkflows } from "../fixtures/fleet-workflows.ts";
import { Ledger } from "../fixtures/ledger.ts";
import { ChaosLedger, createChaosWorkflow } from "./chaos-workflows.ts";
import { type FaultPlan, NO_FAULTS, FaultPlan as Plan } from "./faults.ts";

/** Each write effect of the ledger workflows works this long. */
export const CHAOS_EFFECT_MS = 20;

/** The downstream data every chaos process writes to, in `home`. */
export interface ChaosData {
  readonly ledger: Ledger;
  readonly chaos: ChaosLedger;
  readonly support: SupportData;
}

export function openChaosData(home: string): ChaosData {
  return {
    ledger: new Ledger(home),
    chaos: new ChaosLedger(home),
    support: new SupportData(join(home, "support.db")),
  };
}

export function closeChaosData(data: ChaosData): void {
  data.ledger.close();
  data.chaos.close();
  data.support.close();
}

/**
 * The shipped support_triage (on its own data, `support.db`), the fleet workflows
 * (crash_ledger, approval_ledger) and chaos_ledger, whose read tool takes the faults.
 */
export function chaosRegistry(data: ChaosData, plan: FaultPlan = new Plan(0, NO_FAULTS)) {
  return new WorkflowRegistry([
    createSupportTriage({ data: data.support }) as CompiledWorkflow,
    ...fleetWorkflows(data.ledger, CHAOS_EFFECT_MS),
    createChaosWorkflow(data.chaos, plan, CHAOS_EFFECT_MS),
  ]);
}
