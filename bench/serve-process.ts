/**
 * Child processes for the `serve` benches (issue 12): `signalbox serve` from the built
 * package (`bin/signalbox.js` runs `dist/`, as users run it) and the bare MCP SDK HTTP
 * server (bench/mcp-server-bare-http.ts bundled to plain JavaScript once, so neither side
 * pays for a TypeScript loader), each with its URL, pid and RSS.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { build } from "esbuild";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
/** Inside node_modules so the bundle's bare imports resolve to the repository's packages. */
const BUNDLE = join(ROOT, "node_modules", ".cache", "signalbox-bench", "mcp-server-bare-http.mjs");

/** A support_triage input that finishes without an approval (a how-to question). */
export const TRIAGE_INPUT = {
  customerId: "C-1001",
  message: "How do I export my invoices as a CSV file?",
};

export interface ServedProcess {
  readonly pid: number;
  readonly url: string;
  readonly home?: string;
  stop(): Promise<void>;
}

/** The resident set size of a process, from /proc (bytes). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) * 1024;
}

function waitForLine(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const exited = (code: number | null) => reject(new Error(`server exited with ${code}`));
    child.once("exit", exited);
    lines.on("line", (line) => {
      const found = pattern.exec(line)?.[1];
      if (found === undefined) return;
      child.off("exit", exited);
      lines.close();
      child.stdout?.resume();
      resolve(found);
    });
  });
}

/**
 * `signalbox serve` (built) on a free port in a fresh home, no token (loopback).
 * `BENCH_SERVE_NODE_ARGS` adds node flags, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
 */
export async function startServe(environment: NodeJS.ProcessEnv = {}): Promise<ServedProcess> {
  if (!existsSync(join(ROOT, "dist", "cli", "bin.js")))
    throw new Error("bench serve: run `npm run build` first (bin/signalbox.js runs dist/)");
  const home = mkdtempSync(join(tmpdir(), "signalbox-bench-serve-"));
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_SERVE_NODE_ARGS?.split(" ").filter(Boolean) ?? []),
      "bin/signalbox.js",
      ...["--home", home, "serve", "--port", "0"],
    ],
    {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, SIGNALBOX_LOG_LEVEL: "warn", ...environment },
    },
  );
  const url = await waitForLine(child, /listening on (\S+)/);
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return {
    pid: child.pid ?? 0,
    url,
    home,
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** The bare SDK server (SqliteSaver, Streamable HTTP), bundled to JavaScript. */
export async function startBare(): Promise<ServedProcess> {
  mkdirSync(dirname(BUNDLE), { recursive: true });
  await build({
    entryPoints: [join(ROOT, "bench", "mcp-server-bare-http.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    packages: "external",
    outfile: BUNDLE,
    logLevel: "error",
  });
  const child = spawn(process.execPath, [BUNDLE], {
    cwd: ROOT,
    stdio: ["pipe", "pipe", "inherit"],
  });
  const url = await waitForLine(child, /^listening (\S+)/);
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return {
    pid: child.pid ?? 0,
    url,
    stop: async () => {
      child.stdin?.end();
      await exited;
    },
  };
}

/** An MCP client session over Streamable HTTP. */
export async function connect(url: string): Promise<{ client: Client; close(): Promise<void> }> {
  const client = new Client({ name: "bench", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(url));
  await client.connect(transport);
  return {
    client,
    close: async () => {
      await transport.terminateSession().catch(() => undefined);
      await client.close();
    },
  };
}

/** Calls a tool; throws when the result is an error result. */
export async function callTool(client: Client, name: string, args: Record<string, unknown>) {
  const result = await client.callTool({ name, arguments: args }, undefined, { timeout: 120_000 });
  if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
  return result;
}
