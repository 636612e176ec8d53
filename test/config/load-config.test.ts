import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findConfigFile, loadConfig } from "../../src/config/load-config.ts";
import { REPO_ROOT } from "../fixtures/child-process.ts";
import { runCliCaptured } from "../support/cli.ts";
import { tempHome } from "../support/runtime.ts";

let root: string;
let cleanup: () => void;
beforeAll(() => {
  ({ home: root, cleanup } = tempHome("signalbox-config-"));
  // Projects here import zod like a user's project does, from a node_modules above them.
  symlinkSync(join(REPO_ROOT, "node_modules"), join(root, "node_modules"));
});
afterAll(() => cleanup());

const SIGNALBOX = JSON.stringify(join(REPO_ROOT, "src/index.ts"));

/** A project folder with `signalbox.config.<extension>` holding `body`. */
function project(name: string, extension: string, body: string): string {
  const directory = join(root, name);
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, `signalbox.config.${extension}`), body);
  return directory;
}

/** A workflow with a route, an approval above 100 and a write effect, built from src. */
const APPROVAL_WORKFLOW = `
import { z } from "zod";
import { defineConfig, defineWorkflow } from ${SIGNALBOX};

const payouts: string[] = [];
const payout = defineWorkflow({
  name: "payout", description: "Pays an amount, asking above 100", version: "1.0.0",
  input: z.object({ amount: z.number() }), output: z.object({ paid: z.number() }),
})
  .approval("check", {
    when: (state) => state.input.amount > 100,
    message: (state) => \`Pay \${state.input.amount}?\`,
    next: "pay",
  })
  .step("pay", {
    effect: "write",
    run: async (state, context) => {
      payouts.push(context.idempotencyKey);
      return { output: { paid: state.input.amount } };
    },
  })
  .compile();

export default defineConfig({
  workflows: ({ home, tools }) => (home && tools ? [payout] : []),
  store: { home: "data" },
});
`;

describe("signalbox.config", () => {
  it("is found in the working directory or above, .ts before .js", () => {
    const directory = project("found", "mjs", "export default {}");
    writeFileSync(join(directory, "signalbox.config.ts"), "export default {}");
    mkdirSync(join(directory, "a/b"), { recursive: true });
    expect(findConfigFile(join(directory, "a/b"))).toBe(join(directory, "signalbox.config.ts"));
  });

  it("loads TypeScript through jiti and names the bad key", async () => {
    const directory = project(
      "invalid",
      "ts",
      "const port: number = 99999;\nexport default { workflows: [], server: { port }, stroe: {} };",
    );
    await expect(loadConfig({ cwd: directory, environment: {} })).rejects.toThrow(
      /signalbox\.config\.ts is invalid: .*server\.port: Too big: expected number to be <=65535.*Unrecognized key: "stroe"/,
    );
  });

  it("checks that workflows are compiled workflows, and MCP servers by name", async () => {
    const wrong = project("wrong", "mjs", 'export default { workflows: [{ name: "x" }] };');
    await expect(loadConfig({ cwd: wrong, environment: {} })).rejects.toThrow(
      /workflows\.0: expected a compiled workflow/,
    );
    const mcp = project(
      "mcp",
      "mjs",
      'export default { workflows: [], mcpServers: [{ name: "files", command: "" }] };',
    );
    await expect(loadConfig({ cwd: mcp, environment: {} })).rejects.toThrow(
      /mcpServers\): server "files" \(servers\[0\]\): command: Too small/,
    );
  });

  it("says so when --config names no file, and explains a config that throws", async () => {
    await expect(loadConfig({ path: "nope.ts", cwd: root, environment: {} })).rejects.toThrow(
      /--config: no file at .*nope\.ts/,
    );
    const broken = project("broken", "mjs", 'throw new Error("boom");');
    await expect(loadConfig({ cwd: broken, environment: {} })).rejects.toThrow(
      /cannot load .*signalbox\.config\.mjs: boom/,
    );
  });

  it("hosts the project's workflows in every command: run, approve by short id, show", async () => {
    const directory = project("approval", "ts", APPROVAL_WORKFLOW);
    const config = ["--config", join(directory, "signalbox.config.ts")];
    const listed = await runCliCaptured([...config, "workflows"]);
    expect(listed.stderr).toBe("");
    expect(listed.stdout).toBe("payout@1.0.0  Pays an amount, asking above 100\n");
    expect(listed.stderr).not.toContain("built-in demo workflows");
    const ran = await runCliCaptured([
      ...config,
      "run",
      "payout",
      "--input",
      '{"amount":250}',
      "--json",
    ]);
    const run = (JSON.parse(ran.stdout) as { run: { id: string; status: string } }).run;
    expect(run.status).toBe("waiting");
    const approved = await runCliCaptured([
      ...config,
      "approve",
      run.id.slice(0, 8),
      "--by",
      "ann",
    ]);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toContain('"paid": 250');
    const runs = await runCliCaptured([...config, "runs", "--json"]);
    expect(JSON.parse(runs.stdout)).toHaveLength(1);
    // The data directory is the config's store.home, beside the config.
    expect(runs.code).toBe(0);
    const elsewhere = await runCliCaptured(["--home", join(root, "empty"), ...config, "runs"]);
    expect(elsewhere.stdout).toBe("no runs\n");
  });

  it("without a config, hosts the demo workflows and says so once", async () => {
    const result = await runCliCaptured(["--home", join(root, "demo"), "workflows"]);
    expect(result.stdout).toContain("support_triage@");
    expect(result.stderr.match(/hosting the built-in demo workflows/g)).toHaveLength(1);
  });
});
