import { existsSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { createLogger } from "../../src/runtime/logger.ts";
import { Runtime } from "../../src/runtime/runtime.ts";
import { FINAL_STATUSES, type RunRecord, type RunStore } from "../../src/store/types.ts";
import { type Child, pollUntil, spawnTs } from "../fixtures/child-process.ts";
import { CRASH_INPUT, CRASH_WORKFLOW } from "../fixtures/crash-worker.ts";
import { type FleetBackend, fleetEnvironment, openFleetStore } from "../fixtures/fleet-store.ts";
import { APPROVAL_WORKFLOW } from "../fixtures/fleet-workflows.ts";
import { readLedger } from "../fixtures/ledger.ts";
import { seeded } from "../support/seeded.ts";
import { chaosRegistry, closeChaosData, openChaosData } from "./chaos-registry.ts";
import { CHAOS_WORKFLOW, readChaosLedger } from "./chaos-workflows.ts";
import { type FaultyLlm, startFaultyLlm } from "./faulty-llm.ts";
import { checkInvariants, type InvariantReport } from "./invariants.ts";

const WORKER = "test/chaos/chaos-worker.ts";

export interface ChaosOptions {
  readonly backend: FleetBackend;
  readonly runs: number;
  readonly seed: number;
  /** Faulty workers alive at once. */
  readonly workers?: number;
  /** Stop injecting (and start draining) after this long, even if runs are unfinished. */
  readonly chaosMs?: number;
  readonly log?: (line: string) => void;
}

export interface ChaosReport extends InvariantReport {
  readonly seed: number;
  readonly backend: "sqlite" | "postgres";
  readonly runs: number;
  readonly statuses: Record<string, number>;
  /** Run ends (settled or paused for approval) by the faulty workers, before the clean drain. */
  readonly settledUnderFaults: number;
  /** Why runs failed, by structured error code and node. */
  readonly failures: Record<string, number>;
  /** Faults injected, by kind: those the workers reported, plus SIGKILLs and dropped connections. */
  readonly faults: Record<string, number>;
  readonly approvals: { approved: number; rejected: number };
  /** Route requests the faulty model server answered well (its faults are in `faults`). */
  readonly llmAnswered: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The mix of runs: the shipped workflow on three requests, and the three ledger workflows. */
function planRuns(count: number, random: () => number) {
  const support = [
    {
      customerId: "C-1001",
      message: "Hi, I was charged twice for order #5012. Please refund the duplicate charge.",
    },
    {
      customerId: "C-1005",
      message: "The software did not work for us at all. I want my money back for order 5031.",
    },
    { customerId: "C-1003", message: "How do I download last month's invoice?" },
    // The classifier is unsure of these two, so the route asks the (faulty) LLM tier.
    {
      customerId: "C-1001",
      message: "Something is off with my account and the last payment, can you have a look?",
    },
    { customerId: "C-1005", message: "I need help with order 5031" },
  ];
  return Array.from({ length: count }, (_, index) => {
    const pick = random();
    if (pick < 0.3) return { workflow: "support_triage", input: support[index % support.length] };
    if (pick < 0.45) return { workflow: CRASH_WORKFLOW, input: CRASH_INPUT };
    if (pick < 0.6) return { workflow: APPROVAL_WORKFLOW, input: { orderId: `ap-${index}` } };
    return {
      workflow: CHAOS_WORKFLOW,
      input: { orderId: `ch-${index}`, amount: Math.round(random() * 100) },
    };
  });
}

class Fleet {
  readonly children: Child[] = [];
  readonly killed = new Set<number>();
  private spawned = 0;

  constructor(
    private readonly backend: FleetBackend,
    private readonly seed: number,
    private readonly llm: FaultyLlm,
  ) {}

  /** A worker; a faulty one also routes through the faulty model server, a clean one has no LLM tier. */
  spawn(clean = false): Child {
    this.spawned += 1;
    const child = spawnTs(
      WORKER,
      [this.backend.home, String(this.seed * 1000 + this.spawned), ...(clean ? ["--clean"] : [])],
      { ...fleetEnvironment(this.backend), ...(clean ? {} : { CHAOS_LLM_URL: this.llm.url }) },
    );
    this.children.push(child);
    return child;
  }

  alive(): Child[] {
    return this.children.filter(
      (child) => child.process.exitCode === null && child.process.signalCode === null,
    );
  }

  kill(child: Child): void {
    if (child.process.pid !== undefined) this.killed.add(child.process.pid);
    child.process.kill("SIGKILL");
  }

  /** Runs the faulty workers settled (or paused), dead or alive. */
  settled(): number {
    return this.children
      .filter((child) => !child.process.spawnargs.includes("--clean"))
      .reduce((sum, child) => sum + (child.stderr().match(/^chaos-settled /gm)?.length ?? 0), 0);
  }

  /** Fault lines every worker printed, dead or alive. */
  faults(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const child of this.children)
      for (const match of child.stderr().matchAll(/^chaos-fault (\S+)/gm)) {
        const kind = match[1] as string;
        counts[kind] = (counts[kind] ?? 0) + 1;
      }
    return counts;
  }

  async stop(): Promise<void> {
    const alive = this.alive();
    for (const child of alive) this.kill(child);
    await Promise.all(alive.map((child) => child.exited.catch(() => undefined)));
  }
}

/** Drops one PostgreSQL connection of a chaos worker (pg_terminate_backend); true when one was. */
async function dropConnection(pool: pg.Pool, random: () => number): Promise<boolean> {
  const { rows } = await pool.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE application_name LIKE 'fleet-%'
       AND application_name <> $1 AND datname = current_database()`,
    [`fleet-${process.pid}`], // the workers' connections, not this orchestrator's
  );
  const target = rows[Math.floor(random() * rows.length)];
  if (target === undefined) return false;
  await pool.query("SELECT pg_terminate_backend($1)", [target.pid]);
  return true;
}

/** Decides pending approvals the way people would: mostly approve, sometimes reject. */
async function decideSome(
  store: RunStore,
  random: () => number,
  tally: { approved: number; rejected: number },
  everyone = false,
): Promise<void> {
  for (const approval of await store.listApprovals({ status: "pending" })) {
    if (!everyone && random() < 0.3) continue; // a person who has not looked yet
    const status = everyone || random() < 0.8 ? "approved" : "rejected";
    const decided = await store.decideApproval(approval.id, {
      status,
      decidedBy: "chaos-approver",
      decidedAt: new Date().toISOString(),
      comment: "chaos",
    });
    if (decided !== undefined) tally[status] += 1;
  }
}

async function unsettled(store: RunStore): Promise<RunRecord[]> {
  return store.listRuns({ status: ["queued", "running", "waiting"], limit: 100_000 });
}

/**
 * Runs `runs` runs through faulty worker processes that are SIGKILLed at random moments
 * (and, on PostgreSQL, lose connections) and whose LLM tier answers with 429s, 5xx, hangs,
 * garbage and resets, deciding approvals meanwhile; then drains what is
 * left with clean workers and checks the invariants (see invariants.ts).
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => undefined);
  const random = seeded(options.seed);
  const logger = createLogger("error");
  const { store, queue } = await openFleetStore(options.backend, logger, 1000);
  const data = openChaosData(options.backend.home);
  const runtime = new Runtime({
    store,
    queue,
    logger,
    workflows: chaosRegistry(data),
    leaseMs: 1000,
    execute: "workers",
  });
  const pool =
    options.backend.databaseUrl === undefined
      ? undefined
      : new pg.Pool({ connectionString: options.backend.databaseUrl, max: 1 });
  const llm = await startFaultyLlm(options.seed + 7);
  const fleet = new Fleet(options.backend, options.seed, llm);
  const tally = { approved: 0, rejected: 0 };
  const external = { sigkill: 0, pg_terminate_backend: 0 };
  try {
    // Chaos starts once the workers take runs (starting one costs seconds of CPU on a busy machine).
    const first = Array.from({ length: options.workers ?? 3 }, () => fleet.spawn());
    await pollUntil(
      "the chaos workers to start",
      () => (first.every((child) => child.stdout().includes("ready")) ? true : undefined),
      { timeoutMs: 300_000, intervalMs: 100 },
    );
    const planned = planRuns(options.runs, random);
    const ids: string[] = [];
    for (const [index, run] of planned.entries()) {
      ids.push(
        (await runtime.start(run.workflow, run.input, { detach: true, trigger: "chaos" })).id,
      );
      if (index % 25 === 24) await sleep(50);
    }
    log(
      `chaos: ${ids.length} runs queued on ${pool ? "PostgreSQL" : "SQLite"}, seed ${options.seed}`,
    );
    const deadline = Date.now() + (options.chaosMs ?? 60_000);
    // Besides random kills, one each time another eighth of the runs has settled, so
    // workers die mid-way however fast or slow the machine is.
    let killedAt = 0;
    while (Date.now() < deadline) {
      await sleep(150 + random() * 250);
      const left = await unsettled(store);
      const settled = ids.length - left.length;
      const due = settled >= killedAt + Math.max(1, Math.floor(ids.length / 8));
      // Kill only workers that took runs (a worker still starting has nothing to lose).
      const alive = fleet.alive().filter((child) => child.stdout().includes("ready"));
      // One worker always stays up, so a slow machine (restarts cost seconds) still progresses.
      if ((due || random() < 0.05) && alive.length > 1) {
        fleet.kill(alive[Math.floor(random() * alive.length)] as Child);
        external.sigkill += 1;
        if (due) killedAt = settled;
        fleet.spawn();
      }
      if (pool && random() < 0.2 && (await dropConnection(pool, random)))
        external.pg_terminate_backend += 1;
      await decideSome(store, random, tally);
      if ((await unsettled(store)).every((run) => run.status === "waiting")) break;
    }
    await fleet.stop();
    const settledUnderFaults = fleet.settled();
    for (const child of fleet.children) {
      const noise = child
        .stderr()
        .replace(/^chaos-fault .*\n/gm, "")
        .trim();
      if (noise !== "") log(`chaos: worker ${child.process.pid} said: ${noise.slice(0, 2000)}`);
    }
    const before = await unsettled(store);
    log(
      `chaos: faults over after ${external.sigkill} kills; ${ids.length - before.length} runs settled, ${before.filter((run) => run.status === "waiting").length} waiting, ${before.filter((run) => run.status !== "waiting").length} left to a clean worker`,
    );
    for (let round = 0; round < 50; round += 1) {
      const drained = await fleet.spawn(true).exited;
      if (drained.code !== 0) throw new Error(`the clean worker failed: ${drained.stderr}`);
      const left = await unsettled(store);
      if (left.length === 0) break;
      await decideSome(store, random, tally, true); // everyone looks now: all approved
    }
    const runs = await store.listRuns({ limit: 100_000 });
    const statuses: Record<string, number> = {};
    const failures: Record<string, number> = {};
    for (const run of runs) {
      statuses[run.status] = (statuses[run.status] ?? 0) + 1;
      if (run.failure !== null) {
        const what = `${run.failure.code}${run.failure.node ? ` in ${run.failure.node}` : ""}`;
        failures[what] = (failures[what] ?? 0) + 1;
      }
    }
    const invariants = await checkInvariants({
      store,
      runs,
      ledger: readLedger(options.backend.home),
      chaos: readChaosLedger(options.backend.home),
      refunds: readRefunds(options.backend.home),
      killed: fleet.killed,
      final: FINAL_STATUSES,
    });
    return {
      seed: options.seed,
      backend: pool ? "postgres" : "sqlite",
      runs: runs.length,
      statuses,
      settledUnderFaults,
      failures,
      faults: { ...fleet.faults(), ...llm.faults(), ...external },
      llmAnswered: llm.answered(),
      approvals: tally,
      ...invariants,
    };
  } finally {
    await fleet.stop();
    await llm.close();
    await runtime.close();
    await pool?.end();
    closeChaosData(data);
  }
}

export interface RefundRow {
  readonly idempotency_key: string;
  readonly order_id: string;
  readonly status: string;
}

function readRefunds(home: string): RefundRow[] {
  const path = join(home, "support.db");
  if (!existsSync(path)) return [];
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare("SELECT idempotency_key, order_id, status FROM refunds").all() as RefundRow[];
  } finally {
    db.close();
  }
}
