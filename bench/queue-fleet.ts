/**
 * The queue benchmark's side of its worker processes (bench/queue-worker-process.ts):
 * spawning, the stdin command protocol, CPU time from /proc, and cleanup that leaves
 * no process behind, even when the benchmark itself fails or exits.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { processCpuMs } from "./proc-cpu.ts";
import { backendEnvironment, type QueueBackend } from "./queue-backend.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const SCRIPT = "bench/queue-worker-process.ts";
const REPLY_TIMEOUT_MS = 60_000;
const EXIT_GRACE_MS = 6_000;

/** A loaded worker process, not consuming until `send("start")`. */
export interface WorkerProcess {
  readonly pid: number;
  send(command: "start" | "stop"): Promise<void>;
  /** SIGKILL; resolves once it is gone. */
  kill(): Promise<void>;
  /** Closes its stdin (it shuts down), SIGKILL if it lingers; resolves once it is gone. */
  close(): Promise<void>;
  /** CPU time it has used so far (user + system, ms). */
  cpuMs(): number;
  /** How often its queue consumer stopped by itself (and was started again). */
  consumerLosses(): number;
}

const living = new Set<ChildProcess>();

/** SIGKILLs every worker process still running (they also exit by themselves when stdin closes). */
export function killWorkers(): void {
  for (const child of living) child.kill("SIGKILL");
}
process.once("exit", killWorkers);

/** The child's stdout as replies to commands, and a count of its unasked `event` lines. */
function replies(child: ChildProcess, exited: Promise<void>) {
  const waiting: ((line: string) => void)[] = [];
  const events = { consumerLosses: 0 };
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
    if (line === "event consumer-lost") events.consumerLosses += 1;
    else waiting.shift()?.(line);
  });
  const nextLine = (what: string) =>
    new Promise<string>((resolve, reject) => {
      const deliver = (line: string) => {
        clearTimeout(timer);
        resolve(line);
      };
      const fail = (message: string) => {
        clearTimeout(timer);
        const index = waiting.indexOf(deliver);
        if (index >= 0) waiting.splice(index, 1);
        reject(new Error(`worker ${child.pid}: ${message} before ${what}`));
      };
      const timer = setTimeout(() => fail("no answer"), REPLY_TIMEOUT_MS);
      waiting.push(deliver);
      void exited.then(() => fail(`exited (code ${child.exitCode})`));
    });
  return { nextLine, events };
}

/** Keeps `child` among the living until it exits; resolves then. */
function track(child: ChildProcess): Promise<void> {
  living.add(child);
  // Writing to a worker that just died must not take the benchmark down with EPIPE.
  child.stdin?.on("error", () => undefined);
  return new Promise<void>((resolve) =>
    child.once("exit", () => {
      living.delete(child);
      resolve();
    }),
  );
}

/** Spawns a worker process on `backend` and waits until it has loaded. */
export async function spawnWorker(
  backend: QueueBackend,
  environment: Record<string, string> = {},
): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", SCRIPT], {
    cwd: ROOT,
    env: { ...process.env, ...backendEnvironment(backend), ...environment },
    stdio: ["pipe", "pipe", "inherit"],
  });
  const exited = track(child);
  const { nextLine, events } = replies(child, exited);
  await nextLine("loaded");
  const pid = child.pid ?? Number.NaN;
  return {
    pid,
    async send(command) {
      const answer = nextLine(command);
      child.stdin?.write(`${command}\n`);
      const line = await answer;
      if (line !== (command === "start" ? "started" : "stopped"))
        throw new Error(`worker ${pid}: "${line}" in reply to ${command}`);
    },
    async kill() {
      child.kill("SIGKILL");
      await exited;
    },
    async close() {
      child.stdin?.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), EXIT_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
    cpuMs: () => processCpuMs(pid),
    consumerLosses: () => events.consumerLosses,
  };
}

/** Polls `probe` every `intervalMs` until it returns a value; fails after `timeoutMs`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: { intervalMs: number; timeoutMs: number },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(options.intervalMs);
  }
}
