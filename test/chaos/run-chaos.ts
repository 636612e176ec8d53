/**
 * `npm run chaos`: the long chaos run. Splits CHAOS_RUNS (default 1000) between SQLite
 * and PostgreSQL (half each; SQLite alone when PostgreSQL is unreachable, unless CI is
 * set), prints each report and exits 1 on any violation. CHAOS_SEED replays a run.
 */
import {
  dropSchemas,
  freshSchema,
  POSTGRES_URL,
  postgresUnavailable,
} from "../support/postgres.ts";
import { inCi } from "../support/required.ts";
import { tempHome } from "../support/runtime.ts";
import { type ChaosReport, runChaos } from "./chaos.ts";
import { formatReport } from "./report.ts";

const seed = Number(process.env.CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
const total = Number(process.env.CHAOS_RUNS ?? 1000);
const chaosMs = Number(process.env.CHAOS_MS ?? 600_000);
const log = (line: string) => process.stderr.write(`${line}\n`);

log(`chaos seed ${seed} (replay with CHAOS_SEED=${seed} npm run chaos)`);
const unavailable = await postgresUnavailable();
if (unavailable !== undefined && inCi) throw new Error(`PostgreSQL unreachable: ${unavailable}`);
const reports: ChaosReport[] = [];
const sqliteRuns = unavailable === undefined ? Math.ceil(total / 2) : total;
const sqliteHome = tempHome("signalbox-chaos-");
try {
  reports.push(
    await runChaos({ backend: { home: sqliteHome.home }, runs: sqliteRuns, seed, chaosMs, log }),
  );
} finally {
  sqliteHome.cleanup();
}
if (unavailable === undefined) {
  const home = tempHome("signalbox-chaos-pg-");
  const schema = freshSchema("chaos");
  try {
    reports.push(
      await runChaos({
        backend: { home: home.home, databaseUrl: POSTGRES_URL, schema },
        runs: total - sqliteRuns,
        seed: seed + 1,
        chaosMs,
        log,
      }),
    );
  } finally {
    home.cleanup();
    await dropSchemas([schema]);
  }
} else log(`PostgreSQL skipped: ${unavailable}`);
for (const report of reports) process.stdout.write(`${formatReport(report)}\n`);
process.exitCode = reports.some((report) => report.violations.length > 0) ? 1 : 0;
