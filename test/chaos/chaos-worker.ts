/**
 * A chaos worker, run with `node --import tsx` by the chaos orchestrator:
 *
 *   chaos-worker.ts <home> <seed> [--clean]
 *
 * Opens the store of `<home>` (PostgreSQL when FLEET_DATABASE_URL and FLEET_SCHEMA are
 * set), registers the chaos workflows and drives queued runs with 4 slots until SIGTERM.
 * With a seed it injects faults into itself (see faults.ts): tool errors and timeouts,
 * busy store writes, lost leases. With CHAOS_LLM_URL set, the routes' LLM tier asks that
 * server (the orchestrator's faulty model: 429s, 5xx, hangs, garbage, resets) through the
 * real OpenAI client. `--clean` injects none and exits once nothing is
 * queued or running. It prints "ready" once it takes runs.
 */
import { fileURLToPath } from "node:url";
import type { Decider } from "../../src/contracts/decider.ts";
import { createLlmDecider } from "../../src/models/llm-decider.ts";
import { parseModelSpec } from "../../src/models/model-spec.ts";
import { createChatProvider } from "../../src/models/openai-provider.ts";
import { createLogger } from "../../src/runtime/logger.ts";
import { Runtime } from "../../src/runtime/runtime.ts";
import { backendFromEnvironment, openFleetStore, untilIdle } from "../fixtures/fleet-store.ts";
import { chaosRegistry, closeChaosData, openChaosData } from "./chaos-registry.ts";
import { FaultPlan, faultyStore, NO_FAULTS } from "./faults.ts";

/** How often each fault strikes where it can (per tool call, store write, lease renewal). */
export const FAULT_RATES = {
  tool_error: 0.2,
  tool_timeout: 0.05,
  store_busy: 0.02,
  lease_lost: 0.03,
} as const;

/** The LLM route tier over the chaos model server, as a project configures one. */
function chaosLlm(url: string | undefined): Decider | undefined {
  if (url === undefined || url === "") return undefined;
  const chat = createChatProvider(parseModelSpec(`openai-compatible:chaos-model@${url}`), {
    timeoutMs: 1000,
    retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 50 },
  });
  return chat === undefined ? undefined : createLlmDecider(chat);
}

async function main(argv: readonly string[]): Promise<void> {
  const [home, seedText, ...flags] = argv;
  if (home === undefined || seedText === undefined)
    throw new Error("usage: chaos-worker.ts <home> <seed> [--clean]");
  const clean = flags.includes("--clean");
  const plan = new FaultPlan(Number(seedText), clean ? NO_FAULTS : FAULT_RATES);
  const logger = createLogger((process.env.FLEET_LOG_LEVEL ?? "error") as "error");
  const leaseMs = Number(process.env.FLEET_LEASE_MS ?? 1000);
  const opened = await openFleetStore(backendFromEnvironment(home), logger, leaseMs);
  const data = openChaosData(home);
  const runtime = new Runtime({
    store: faultyStore(opened.store, plan),
    queue: opened.queue,
    logger,
    workflows: chaosRegistry(data, plan),
    leaseMs,
    pollMs: 50,
    llm: chaosLlm(process.env.CHAOS_LLM_URL),
  });
  // Each run this process settles, for the orchestrator's count of work done under faults.
  runtime.onEvent((event) => {
    if (event.type === "run-end") process.stderr.write(`chaos-settled ${event.status}\n`);
  });
  try {
    await runtime.startWorker({ concurrency: 4, sweepMs: 100 });
    process.stdout.write("ready\n");
    if (clean) await untilIdle(opened.store);
    else await new Promise((resolve) => process.once("SIGTERM", resolve));
  } finally {
    await runtime.close();
    closeChaosData(data);
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main(process.argv.slice(2));
}
