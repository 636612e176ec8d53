import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.ts";
import { tempHome } from "../support/runtime.ts";

function sink() {
  let text = "";
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

let home: string;
let cleanup: () => void;
beforeAll(() => {
  ({ home, cleanup } = tempHome("signalbox-chat-cli-"));
});
afterAll(() => cleanup());

async function cli(...args: string[]) {
  const stdout = sink();
  const stderr = sink();
  const code = await runCli(["--home", home, "--model", "offline", ...args], {
    stdout: stdout.stream,
    stderr: stderr.stream,
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe("signalbox chat --message", () => {
  it("runs a one-shot turn as JSON, then approves in the same conversation", async () => {
    const first = await cli(
      "chat",
      "--json",
      "--message",
      "Customer C-1005: the software did not work at all, I want my money back for order 5031.",
    );
    expect(first.code).toBe(0);
    const turn = JSON.parse(first.stdout) as {
      conversationId: string;
      turnRunId: string;
      runs: { runId: string; status: string; decisionPath: unknown[] }[];
    };
    expect(turn.runs[0]?.status).toBe("waiting");
    expect(turn.runs[0]?.decisionPath.length).toBeGreaterThan(0);
    const second = await cli("chat", "--conversation", turn.conversationId, "--message", "approve");
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/is succeeded/);
    expect(second.stderr).toMatch(/→ approve_run/);
    const shown = await cli("show", turn.turnRunId);
    expect(shown.stdout).toMatch(/support_triage/);
  });

  it("fails clearly on an empty message or an unknown conversation", async () => {
    const empty = await cli("chat", "--message", " ");
    expect(empty.code).not.toBe(0);
    expect(empty.stderr).toMatch(/message is empty/);
    const unknown = await cli("chat", "--conversation", "conv-missing", "--message", "hi");
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/no conversation with id "conv-missing"/);
  });
});
