import { afterAll, expect, it } from "vitest";
import {
  describePostgres,
  dropSchemas,
  freshSchema,
  POSTGRES_URL,
  postgresUnavailable,
} from "../support/postgres.ts";
import { tempHome } from "../support/runtime.ts";
import { runChaos } from "./chaos.ts";
import { formatReport } from "./report.ts";

// The short, seeded chaos run inside `npm test` (the long one is `npm run chaos`).
// The seed is printed: CHAOS_SEED=<seed> replays the same faults and kills.
const seed = Number(process.env.CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
process.stderr.write(`chaos (short) seed ${seed}: replay with CHAOS_SEED=${seed}\n`);

const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function expectHeld(report: Awaited<ReturnType<typeof runChaos>>, runs: number) {
  process.stderr.write(`${formatReport(report)}\n`);
  expect(report.violations, `seed ${seed}`).toEqual([]);
  expect(report.runs).toBe(runs);
  // Faults really happened: workers were killed and the injected kinds fired.
  expect(report.faults.sigkill ?? 0, `seed ${seed}`).toBeGreaterThan(0);
  expect(report.faults.tool_error ?? 0, `seed ${seed}`).toBeGreaterThan(0);
  // The routes asked the LLM tier over a real socket, and it answered (well or badly).
  const llmFaults = Object.entries(report.faults).filter(([kind]) => kind.startsWith("llm_"));
  const asked = report.llmAnswered + llmFaults.reduce((sum, [, count]) => sum + count, 0);
  expect(asked, `seed ${seed}`).toBeGreaterThan(0);
  expect(report.checks).toBeGreaterThan(runs * 4);
}

it("SQLite: 50 runs under SIGKILLs, tool errors and timeouts, LLM faults, busy writes and lost leases", async () => {
  const { home, cleanup } = tempHome("signalbox-chaos-short-");
  cleanups.push(cleanup);
  const report = await runChaos({ backend: { home }, runs: 50, seed, chaosMs: 120_000 });
  expectHeld(report, 50);
}, 600_000);

const unavailable = await postgresUnavailable();
describePostgres("chaos on PostgreSQL", unavailable, () => {
  it("PostgreSQL: 40 runs under the same faults plus dropped connections", async () => {
    const { home, cleanup } = tempHome("signalbox-chaos-short-pg-");
    const schema = freshSchema("chaos");
    cleanups.push(cleanup, () => dropSchemas([schema]));
    const report = await runChaos({
      backend: { home, databaseUrl: POSTGRES_URL, schema },
      runs: 40,
      seed: seed + 1,
      chaosMs: 120_000,
    });
    expectHeld(report, 40);
  }, 600_000);
});
