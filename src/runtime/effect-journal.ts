import type { Logger } from "pino";
import type { RunEvent } from "../graph/events.ts";
import type { EffectCall, EffectOutcome } from "../graph/run-context.ts";
import type { EffectRecord, RunStore } from "../store/types.ts";

export interface EffectJournalOptions {
  readonly store: RunStore;
  readonly runId: string;
  readonly dryRun: boolean;
  readonly logger: Logger;
  readonly emit: (event: RunEvent) => void;
}

/**
 * Runs a side effect at most once per idempotency key: a completed effect is
 * replayed from the journal, never performed again; in a dry-run it is only
 * planned. An effect that started but never finished (the process died inside
 * it) is performed again, with the same key, so downstream systems that take
 * the key can deduplicate.
 */
export async function journalEffect<T>(
  options: EffectJournalOptions,
  call: EffectCall<T>,
): Promise<EffectOutcome<T>> {
  const { store, runId, emit } = options;
  const existing = await store.getEffect(call.key);
  const event = (status: "performed" | "replayed" | "planned" | "failed") =>
    emit({ type: "effect", runId, node: call.node, name: call.name, key: call.key, status });
  if (existing?.status === "completed") {
    event("replayed");
    return { status: "replayed", result: existing.result as T };
  }
  const base: EffectRecord = {
    key: call.key,
    runId,
    node: call.node,
    name: call.name,
    effect: call.effect,
    status: "started",
    args: call.args,
    result: null,
    error: null,
    startedAt: new Date().toISOString(),
    finishedAt: null,
  };
  if (options.dryRun) {
    await store.putEffect({ ...base, status: "planned" });
    event("planned");
    return { status: "planned" };
  }
  if (existing?.status === "started") {
    options.logger.warn(
      { node: call.node, key: call.key },
      "effect started before a crash; performing it again with the same idempotency key",
    );
  }
  await store.putEffect(base);
  try {
    const result = await call.perform();
    await store.putEffect({
      ...base,
      status: "completed",
      result,
      finishedAt: new Date().toISOString(),
    });
    event("performed");
    return { status: "performed", result };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await store.putEffect({
      ...base,
      status: "failed",
      error: message,
      finishedAt: new Date().toISOString(),
    });
    event("failed");
    throw error;
  }
}
