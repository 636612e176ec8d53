import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBuiltinWorkflows } from "../../src/workflows/index.ts";
import { runCliCaptured } from "../support/cli.ts";
import { openTestRuntime, tempHome } from "../support/runtime.ts";

const exec = promisify(execFile);

let home: string;
let cleanup: () => void;
beforeAll(() => {
  ({ home, cleanup } = tempHome("signalbox-cli-"));
});
afterAll(() => cleanup());

async function cli(...args: string[]) {
  return runCliCaptured(["--home", home, ...args]);
}

const refund = JSON.stringify({
  customerId: "C-1001",
  message: "I was charged twice for order #5012, please refund me",
});

describe("signalbox CLI", () => {
  it("lists the shipped workflows", async () => {
    const result = await cli("workflows");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("support_triage@2.0.0");
    // Issue 16: the reply drafting support_triage uses as a step is offered on its own too.
    expect(result.stdout).toContain("draft_reply@1.0.0");
  });

  it("runs a workflow, streaming progress and printing the decision path and output", async () => {
    const result = await cli("run", "support_triage", "--input", refund);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("✓ classify_intent");
    expect(result.stdout).toContain("decision path");
    expect(result.stdout).toMatch(/classify_intent {2}route → refund \[classifier/);
    expect(result.stdout).toContain('"action": "refunded"');
  });

  it("prints JSON with --json, and the same run through show and runs", async () => {
    const ran = await cli("run", "support_triage", "--input", refund, "--dry-run", "--json");
    const details = JSON.parse(ran.stdout) as {
      run: { id: string; status: string; dryRun: boolean };
      effects: { status: string }[];
    };
    expect(details.run).toMatchObject({ status: "succeeded", dryRun: true });
    expect(details.effects.every((effect) => effect.status === "planned")).toBe(true);
    const shown = await cli("show", details.run.id);
    expect(shown.stdout).toContain("effect plan (nothing was performed)");
    const listed = await cli("runs", "--status", "succeeded", "--json");
    expect((JSON.parse(listed.stdout) as { id: string }[]).map((run) => run.id)).toContain(
      details.run.id,
    );
  });

  it("renders the taken path as Mermaid", async () => {
    const ran = JSON.parse(
      (await cli("run", "support_triage", "--input", refund, "--json")).stdout,
    ) as { run: { id: string } };
    const chart = (await cli("show", ran.run.id, "--mermaid")).stdout;
    expect(chart).toContain("flowchart TD");
    expect(chart).toContain("classify_intent -->|refund| check_refund_policy");
    expect(chart).toMatch(/class .*classify_intent.*check_refund_policy.*send_reply.* taken/);
    expect(chart).toContain("linkStyle");
    expect(chart).not.toMatch(/class [^\n]*hand_off[^\n]* taken/);
    const graph = await cli("graph", "support_triage");
    expect(graph.stdout).toContain("approve_refund");
    expect(graph.stdout).not.toContain("linkStyle");
  });

  it("names the bad field and exits 2 for invalid input", async () => {
    const result = await cli("run", "support_triage", "--input", '{"customerId": "C-1001"}');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("message: Invalid input: expected string, received undefined");
    const empty = await cli(
      "run",
      "support_triage",
      "--input",
      '{"customerId": "C-1001", "message": "   "}',
    );
    expect(empty.stderr).toContain("message: the message is empty");
  });

  it("explains unparseable JSON and unreadable files", async () => {
    expect((await cli("run", "support_triage", "--input", "{nope")).stderr).toContain(
      "--input is not valid JSON",
    );
    const missing = await cli("run", "support_triage", "--input", "@/no/such/file.json");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read file "/no/such/file.json"');
  });

  it("exits 3 for an unknown workflow or run, naming what exists", async () => {
    const workflow = await cli("run", "support-triage", "--input", refund);
    expect(workflow.code).toBe(3);
    expect(workflow.stderr).toContain(
      'no workflow named "support-triage"; registered: support_triage',
    );
    const run = await cli("show", "does-not-exist");
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('no run with id "does-not-exist"');
  });

  it("reads --input @- from standard input", async () => {
    const result = await runCliCaptured(
      ["--home", home, "run", "support_triage", "--input", "@-", "--dry-run", "--json"],
      refund,
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ run: { status: "succeeded" } });
    const bad = await runCliCaptured(
      ["--home", home, "run", "support_triage", "--input", "@-"],
      "{",
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--input (standard input) is not valid JSON");
  });

  it("takes a unique run id prefix of 6+ characters, and lists the matches of an ambiguous one", async () => {
    const ran = JSON.parse(
      (await cli("run", "support_triage", "--input", refund, "--dry-run", "--json")).stdout,
    ) as { run: { id: string } };
    const shown = await cli("show", ran.run.id.slice(0, 8), "--json");
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ run: { id: ran.run.id } });
    const short = await cli("show", ran.run.id.slice(0, 5));
    expect(short.code).toBe(3);
    expect(short.stderr).toContain("a short id needs at least 6 characters");
    const { runtime } = openTestRuntime(home, createBuiltinWorkflows({ home }));
    for (const runId of ["twin-prefix-1", "twin-prefix-2"])
      await runtime.start("support_triage", JSON.parse(refund), { runId, detach: true });
    await runtime.close();
    const ambiguous = await cli("cancel", "twin-prefix");
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(
      /"twin-prefix" is ambiguous; it matches:\n {2}twin-prefix-2 {2}queued/,
    );
    expect(ambiguous.stderr).toContain("twin-prefix-1");
    expect((await cli("cancel", "twin-prefix-1")).stdout).toContain("twin-prefix-1  cancelled");
  });

  it("exits 4 when approving a run that is not waiting", async () => {
    const ran = JSON.parse(
      (await cli("run", "support_triage", "--input", refund, "--json")).stdout,
    ) as { run: { id: string } };
    const result = await cli("approve", ran.run.id);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain("is succeeded, not waiting for approval");
    expect((await cli("resume", ran.run.id)).code).toBe(4);
    expect((await cli("cancel", ran.run.id)).stderr).toContain(
      "only unfinished runs can be cancelled",
    );
  });

  it("run --detach only queues the run and prints its id; a process that recovers drives it", async () => {
    // A home of its own: recover drives every queued run there, and no other test's.
    const own = tempHome("signalbox-cli-detach-");
    const cli = (...args: string[]) => runCliCaptured(["--home", own.home, ...args]);
    const detached = await cli("run", "support_triage", "--input", refund, "--detach");
    expect(detached.code, detached.stderr).toBe(0);
    const runId = detached.stdout.trim();
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);
    const queued = JSON.parse((await cli("show", runId, "--json")).stdout) as {
      run: { status: string; owner: string | null; epoch: number };
      decisions: unknown[];
    };
    expect(queued.run).toMatchObject({ status: "queued", owner: null, epoch: 0 });
    expect(queued.decisions).toEqual([]);
    const asJson = await cli("run", "support_triage", "--input", refund, "--detach", "--json");
    const second = JSON.parse(asJson.stdout) as { id: string; status: string };
    expect(second.status).toBe("queued");
    const recovered = await cli("recover");
    expect(recovered.code, recovered.stderr).toBe(0);
    expect(recovered.stdout.trim().split("\n").sort()).toEqual(
      [`${runId}  succeeded`, `${second.id}  succeeded`].sort(),
    );
    const done = JSON.parse((await cli("show", runId, "--json")).stdout) as {
      run: { status: string; epoch: number };
      decisions: { node: string }[];
    };
    expect(done.run).toMatchObject({ status: "succeeded", epoch: 1 });
    expect(done.decisions.map((decision) => decision.node)).toContain("classify_intent");
    own.cleanup();
  });

  it("exits 5 naming the file when the store cannot be opened", async () => {
    const { home: dir, cleanup } = tempHome("signalbox-cli-store-");
    try {
      const notADirectory = join(dir, "a-file");
      writeFileSync(notADirectory, "");
      const onFile = await runCliCaptured(["--home", notADirectory, "runs"]);
      expect(onFile.code).toBe(5);
      expect(onFile.stderr).toContain(
        `cannot open the run store ${join(notADirectory, "signalbox.db")}`,
      );
      mkdirSync(join(dir, "corrupt"));
      writeFileSync(join(dir, "corrupt", "signalbox.db"), "not a database at all, just text");
      const corrupt = await runCliCaptured(["--home", join(dir, "corrupt"), "runs"]);
      expect(corrupt.code).toBe(5);
      expect(corrupt.stderr).toContain("file is not a database");
      expect(corrupt.stderr).toContain(join(dir, "corrupt", "signalbox.db"));
    } finally {
      cleanup();
    }
  });

  it("exits 2 for bad flags with usage help", async () => {
    const status = await cli("runs", "--status", "done");
    expect(status.code).toBe(2);
    expect(status.stderr).toContain("Allowed choices are queued, running, waiting");
    expect((await cli("runs", "--limit", "-1")).stderr).toContain(
      "expected a positive whole number",
    );
    expect((await cli("approve", "x", "--reject", "--changes")).stderr).toContain(
      "--reject and --changes exclude each other",
    );
    expect((await cli("run", "support_triage")).stderr).toContain(
      "required option '--input <json|@file|@->' not specified",
    );
  });

  it("runs as a real process through bin/signalbox.js with a non-zero exit for errors", async () => {
    const ok = await exec("node", [
      "bin/signalbox.js",
      "--home",
      home,
      "run",
      "support_triage",
      "--input",
      "@examples/refund-request.json",
      "--json",
    ]);
    expect((JSON.parse(ok.stdout) as { run: { status: string } }).run.status).toBe("succeeded");
    const failed = await exec("node", ["bin/signalbox.js", "--home", home, "show", "nope"]).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed).toMatchObject({ code: 3 });
    expect((failed as { stderr: string }).stderr).toContain('no run with id "nope"');
  });

  it("runs the README's quick-start command (npm run demo) with the same answer every time", async () => {
    const fresh = tempHome("signalbox-demo-");
    const demo = () =>
      exec("npm", ["run", "--silent", "demo"], {
        env: { ...process.env, SIGNALBOX_HOME: fresh.home, SIGNALBOX_MODEL: "" },
      });
    try {
      const first = await demo();
      expect(first.stdout).toContain("decision path");
      expect(first.stdout).toContain('"action": "refunded"');
      // The demo resets its data (the refund it made), so a used home answers the same.
      const again = await demo();
      expect(again.stdout).toContain('"action": "refunded"');
      const runs = await cli("--home", fresh.home, "runs", "--json");
      expect(JSON.parse(runs.stdout)).toHaveLength(2);
    } finally {
      fresh.cleanup();
    }
  });
});
