/**
 * The package as a user gets it: `npm pack`, installed from the tarball into a fresh
 * project (dependencies from the registry, or npm's cache), then used from there
 * under plain Node and a strict TypeScript consumer. One install serves every check.
 */
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify, stripVTControlCharacters } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../fixtures/child-process.ts";
import { tempHome } from "../support/runtime.ts";

const exec = promisify(execFile);
const INSTALL_TIMEOUT_MS = 300_000;

let consumer: string;
let cleanup: () => void;

const repoPackage = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
  devDependencies: Record<string, string>;
};

function run(command: string, args: readonly string[], cwd = consumer) {
  return exec(command, [...args], {
    cwd,
    env: { ...process.env, SIGNALBOX_HOME: "", SIGNALBOX_MODEL: "", npm_config_loglevel: "error" },
    maxBuffer: 16 * 1024 * 1024,
  });
}

/**
 * better-sqlite3 compiles from source here (about a minute of CPU). The tarball's own
 * dependency is installed without scripts and gets the addon this checkout already
 * built, when the versions match; otherwise it is rebuilt.
 */
async function provideSqliteAddon(): Promise<void> {
  const version = (directory: string) =>
    (JSON.parse(readFileSync(join(directory, "package.json"), "utf8")) as { version: string })
      .version;
  const ours = join(REPO_ROOT, "node_modules/better-sqlite3");
  const theirs = join(consumer, "node_modules/better-sqlite3");
  const addon = "build/Release/better_sqlite3.node";
  if (version(ours) === version(theirs) && existsSync(join(ours, addon))) {
    mkdirSync(join(theirs, "build/Release"), { recursive: true });
    copyFileSync(join(ours, addon), join(theirs, addon));
    return;
  }
  await run("npm", ["rebuild", "better-sqlite3"]);
}

/** The first `ts` block of a README section, with declarations for what it leaves to the reader. */
function readmeExample(section: string, preamble: string): string {
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
  const start = readme.indexOf(`## ${section}\n`);
  const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(start));
  if (start < 0 || block?.[1] === undefined)
    throw new Error(`README has no ts block in ${section}`);
  return `${preamble}\n${block[1]}`;
}

beforeAll(async () => {
  ({ home: consumer, cleanup } = tempHome("signalbox-consumer-"));
  // dist/ is fresh (global setup); --ignore-scripts keeps `prepare` from rebuilding it
  // under the feet of tests running in parallel.
  const packed = await exec(
    "npm",
    ["pack", "--ignore-scripts", "--json", "--pack-destination", consumer],
    {
      cwd: REPO_ROOT,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];
  writeFileSync(
    join(consumer, "package.json"),
    JSON.stringify({ name: "consumer", private: true, type: "module" }),
  );
  const dev = repoPackage.devDependencies;
  await run("npm", [
    "install",
    "--ignore-scripts",
    "--prefer-offline",
    "--no-audit",
    "--no-fund",
    join(consumer, filename),
    `@types/node@${dev["@types/node"]}`,
    `vitest@${dev.vitest}`,
  ]);
  await provideSqliteAddon();
}, INSTALL_TIMEOUT_MS);

afterAll(() => cleanup?.());

describe("the packed signalbox", () => {
  it("ships compiled JavaScript, declarations, source maps and the built dashboard, and no tests or benchmarks", () => {
    const installed = join(consumer, "node_modules/signalbox");
    for (const file of [
      "index.js",
      "index.d.ts",
      "index.js.map",
      "testing/index.d.ts",
      "cli/bin.js",
      "ui/index.html",
      "ui/app.js",
      "ui/app.css",
    ])
      expect(existsSync(join(installed, "dist", file)), file).toBe(true);
    for (const folder of ["test", "bench", ".ci", "evals"])
      expect(existsSync(join(installed, folder)), folder).toBe(false);
    const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    expect(Object.keys(manifest.dependencies)).not.toContain("tsx");
    // The dashboard is bundled at build time: its libraries are not installed with the package.
    expect(Object.keys(manifest.dependencies)).not.toContain("preact");
    expect(Object.keys(manifest.dependencies)).toContain("@types/better-sqlite3");
  });

  it("imports under plain Node, every entry", async () => {
    const script = [
      'const { defineWorkflow, Runtime } = await import("signalbox");',
      'const testing = await import("signalbox/testing");',
      'const server = await import("signalbox/server");',
      'const postgres = await import("signalbox/postgres");',
      "console.log(typeof defineWorkflow, typeof Runtime, typeof testing.ScriptedChatModel,",
      "  typeof server.createHttpHandler, typeof postgres.PostgresRunStore);",
    ].join("\n");
    const { stdout } = await run("node", ["--input-type=module", "-e", script]);
    expect(stdout.trim()).toBe("function function function function function");
  });

  it("type-checks the README's workflow under strict NodeNext without skipLibCheck", async () => {
    const preamble = [
      "declare function lookUp(orderId: string): Promise<number>;",
      "declare const payments: {",
      "  refund(key: string, amount: number | undefined): Promise<void>;",
      "  reverse(key: string): Promise<void>;",
      "};",
      'import { ScriptedChatModel } from "signalbox/testing";',
      'import type { PostgresRunStore } from "signalbox/postgres";',
      'import { createHttpHandler } from "signalbox/server";',
      "export type Entries = [ScriptedChatModel, PostgresRunStore, typeof createHttpHandler];",
    ].join("\n");
    mkdirSync(join(consumer, "src"), { recursive: true });
    writeFileSync(
      join(consumer, "src/workflow.ts"),
      readmeExample("Defining a workflow", preamble),
    );
    writeFileSync(
      join(consumer, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          noUncheckedIndexedAccess: true,
          skipLibCheck: false,
          noEmit: true,
          types: ["node"],
        },
        include: ["src"],
      }),
    );
    const tsc = join(REPO_ROOT, "node_modules/typescript/bin/tsc");
    const result = await run("node", [tsc, "-p", "."]).then(
      (done) => ({ ...done, code: 0 }),
      (error: { stdout: string; stderr: string; code: number }) => error,
    );
    expect(result.stdout).toBe("");
    expect(result.code).toBe(0);
  });

  it("runs the compiled CLI through its bin", async () => {
    const { stdout } = await run("npx", ["--no-install", "signalbox", "--help"]);
    expect(stdout).toContain("Usage: signalbox");
  });

  it("scaffolds a project with signalbox init whose run, tests, eval and types work offline", async () => {
    // The scaffold sits inside the consumer, so its imports resolve to the installed tarball.
    await run("npx", ["--no-install", "signalbox", "init", "scaffold"]);
    const project = join(consumer, "scaffold");
    const signalbox = (...args: string[]) =>
      run("npx", ["--no-install", "signalbox", ...args], project);
    const input = '{"employee":"ada","amount":900,"description":"a new laptop"}';
    const ran = await signalbox("run", "expense_claim", "--input", input, "--json");
    const { run: waiting } = JSON.parse(ran.stdout) as { run: { id: string; status: string } };
    expect(waiting.status).toBe("waiting");
    const approved = await signalbox("approve", waiting.id.slice(0, 8), "--by", "test");
    expect(approved.stdout).toContain('"status": "booked"');
    const tested = await run("npm", ["test"], project);
    expect(stripVTControlCharacters(tested.stdout)).toMatch(/Tests +2 passed/);
    expect((await signalbox("eval", "expense-claim")).stdout).toMatch(
      /cases meeting every expectation \(an escalation fails one\) +4\/4/,
    );
    const tsc = join(REPO_ROOT, "node_modules/typescript/bin/tsc");
    expect((await run("node", [tsc, "-p", "."], project)).stdout).toBe("");
  });
});
