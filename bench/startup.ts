/**
 * Cold starts of the CLI (compiled `dist/`, as users run it) against `node -e 0` and a
 * bare `import("@langchain/langgraph")`, measured in the same rounds: each round runs
 * every command once, in turn, so all share the machine's load; ratios are medians of the
 * per-round ratios. CPU is user + sys and peak RSS from `/usr/bin/time -f "%U %S %M"`.
 * A cold `signalbox run support_triage` is compared with its own baseline: the bare
 * import plus one run of a graph the size of that run's path (bench/startup-bare-run.mjs).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Target } from "./report.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const TIME = "/usr/bin/time";
const ROUNDS = Number(process.env.BENCH_STARTUP_ROUNDS ?? 7);
const BARE_RUN = "LangGraph import + 9-node graph run";
const RUN = "signalbox run support_triage";

export interface StartupRow {
  readonly name: string;
  readonly cpuS: number;
  readonly rssMiB: number;
  /** Median over rounds of (this / bare LangGraph import) and (this / node -e 0). */
  readonly vsLangGraph: number;
  readonly vsNode: number;
}

export interface StartupResults {
  readonly generatedAt: string;
  readonly rounds: number;
  readonly rows: StartupRow[];
  readonly targets: Target[];
  readonly markdown: string;
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

/** One cold start: CPU seconds (user + sys) and peak RSS in MiB. */
function measure(args: readonly string[]): { cpuS: number; rssMiB: number } {
  const result = spawnSync(TIME, ["-f", "%U %S %M", process.execPath, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, SIGNALBOX_LOG_LEVEL: "silent" },
  });
  if (result.status !== 0) throw new Error(`${args.join(" ")} failed: ${result.stderr}`);
  const last = result.stderr.trim().split("\n").at(-1) ?? "";
  const [user, system, rssKb] = last.split(" ").map(Number) as [number, number, number];
  return { cpuS: user + system, rssMiB: rssKb / 1024 };
}

export async function startupBench(): Promise<StartupResults> {
  if (!existsSync(TIME)) throw new Error(`${TIME} is needed (apt-get install time)`);
  if (!existsSync(join(ROOT, "dist", "cli", "bin.js"))) throw new Error("run npm run build first");
  const home = mkdtempSync(join(tmpdir(), "signalbox-startup-"));
  try {
    const cli = (...args: string[]) => ["bin/signalbox.js", "--home", home, ...args];
    const run = cli("run", "support_triage", "--input", "@examples/refund-request.json", "--json");
    measure(run);
    const listed = spawnSync(process.execPath, cli("runs", "--json"), {
      cwd: ROOT,
      encoding: "utf8",
    });
    const runId = (JSON.parse(listed.stdout) as { id: string }[])[0]?.id ?? "";
    const commands: [string, string[]][] = [
      ["node -e 0", ["-e", "0"]],
      ['import("@langchain/langgraph")', ["-e", 'import("@langchain/langgraph")']],
      ["signalbox --help", cli("--help")],
      ["signalbox workflows", cli("workflows")],
      ["signalbox runs", cli("runs")],
      ["signalbox show <run>", cli("show", runId)],
      [BARE_RUN, ["bench/startup-bare-run.mjs"]],
      [RUN, run],
    ];
    const samples = new Map<string, { cpuS: number; rssMiB: number }[]>(
      commands.map(([name]) => [name, []]),
    );
    for (let round = 0; round < ROUNDS; round += 1)
      for (const [name, args] of commands) samples.get(name)?.push(measure(args));
    const base = (name: string, round: number) => samples.get(name)?.[round]?.cpuS ?? Number.NaN;
    const rows = commands.map(([name]): StartupRow => {
      const runs = samples.get(name) ?? [];
      return {
        name,
        cpuS: median(runs.map((sample) => sample.cpuS)),
        rssMiB: median(runs.map((sample) => sample.rssMiB)),
        vsLangGraph: median(
          runs.map((sample, round) => sample.cpuS / base('import("@langchain/langgraph")', round)),
        ),
        vsNode: median(runs.map((sample, round) => sample.cpuS / base("node -e 0", round))),
      };
    });
    const row = (name: string) => rows.find((candidate) => candidate.name === name) as StartupRow;
    const runs = samples.get(RUN) ?? [];
    const runVsBare = median(runs.map((sample, round) => sample.cpuS / base(BARE_RUN, round)));
    const targets: Target[] = [
      {
        name: "signalbox --help ≤ 3× node -e 0",
        met: row("signalbox --help").vsNode <= 3,
        detail: `${row("signalbox --help").vsNode.toFixed(2)}×`,
      },
      ...["signalbox runs", "signalbox show <run>"].map((name) => ({
        name: `${name} ≤ 0.5× the bare LangGraph import`,
        met: row(name).vsLangGraph <= 0.5,
        detail: `${row(name).vsLangGraph.toFixed(2)}×`,
      })),
      {
        name: `${RUN} ≤ 1.3× the ${BARE_RUN}`,
        met: runVsBare <= 1.3,
        detail: `${runVsBare.toFixed(2)}×`,
      },
    ];
    const markdown = [
      `| command | CPU (user + sys) | × bare LangGraph import | × node -e 0 | peak RSS |`,
      `| --- | ---: | ---: | ---: | ---: |`,
      ...rows.map(
        (entry) =>
          `| \`${entry.name}\` | ${entry.cpuS.toFixed(2)} s | ${entry.vsLangGraph.toFixed(2)} | ${entry.vsNode.toFixed(1)} | ${Math.round(entry.rssMiB)} MiB |`,
      ),
    ].join("\n");
    return { generatedAt: new Date().toISOString(), rounds: ROUNDS, rows, targets, markdown };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
