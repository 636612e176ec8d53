import type { Logger } from "pino";
import { createDecisionRecord } from "../contracts/decision.ts";
import type { RunEvent } from "../graph/events.ts";
import type { CompiledWorkflow } from "../graph/workflow.ts";
import type { Lease, RunStore } from "../store/types.ts";

export interface CompensationOptions {
  readonly store: RunStore;
  /** Compensation is part of driving the run: fenced like every other write. */
  readonly lease: Lease;
  readonly workflow: CompiledWorkflow;
  readonly runId: string;
  readonly logger: Logger;
  readonly emit: (event: RunEvent) => void;
}

/**
 * Saga rollback: runs the `undo` of every completed write effect of the run,
 * newest first, recording each compensation in the decision log.
 * Returns true when every effect that needed undoing was undone.
 */
export async function compensate(
  options: CompensationOptions,
  failure: string,
): Promise<{ attempted: number; allUndone: boolean }> {
  const { store, workflow, runId } = options;
  const completed = (await store.listEffects(runId))
    .filter((effect) => effect.status === "completed")
    .reverse();
  let allUndone = true;
  let attempted = 0;
  for (const effect of completed) {
    const undo = workflow.undoFor(effect.node);
    const at = new Date().toISOString();
    let choice = "undone";
    let reason = `run failed (${failure}); undid ${effect.name}`;
    if (undo === undefined) {
      choice = "left";
      reason = `run failed (${failure}); ${effect.name} declares no undo, so it stays done`;
      allUndone = false;
    } else {
      attempted += 1;
      try {
        const logger = options.logger.child({ runId, node: effect.node, compensation: true });
        await undo(
          { key: effect.key, args: effect.args, result: effect.result },
          {
            runId,
            node: effect.node,
            dryRun: false,
            logger,
            attempt: 1,
            idempotencyKey: `${effect.key}:undo`,
            signal: undefined,
            decide: () => {},
          },
        );
        await store.putEffect({ ...effect, status: "compensated", finishedAt: at }, options.lease);
        options.emit({
          type: "effect",
          runId,
          node: effect.node,
          name: effect.name,
          key: effect.key,
          status: "compensated",
        });
      } catch (error) {
        allUndone = false;
        choice = "undo_failed";
        reason = `undo of ${effect.name} failed: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
    const decision = {
      node: effect.node,
      kind: "compensation" as const,
      options: [{ name: "undone" }, { name: "left" }, { name: "undo_failed" }],
      choice,
      reason,
      confidence: null,
      decidedBy: "rule" as const,
    };
    await store.recordDecision(
      createDecisionRecord(decision, { key: `compensation:${effect.key}`, runId, step: -1 }),
      options.lease,
    );
  }
  return { attempted, allUndone: allUndone && completed.length > 0 };
}
