import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliCaptured } from "../support/cli.ts";
import { tempHome } from "../support/runtime.ts";

let home: string;
let cleanup: () => void;
beforeAll(() => {
  ({ home, cleanup } = tempHome("signalbox-chat-cli-"));
});
afterAll(() => cleanup());

async function cli(...args: string[]) {
  return runCliCaptured(["--home", home, "--model", "offline", ...args]);
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
    // The one who asked (here the OS user) may not approve it too (issue #11); someone else may.
    const own = await cli("chat", "--conversation", turn.conversationId, "--message", "approve");
    expect(own.code).toBe(0);
    expect(own.stdout).toMatch(/asked for run \S+ and may not approve it too/);
    const second = await cli(
      "chat",
      "--user",
      "lead",
      "--conversation",
      turn.conversationId,
      "--message",
      "approve",
    );
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/is succeeded/);
    expect(second.stderr).toMatch(/→ approve_run/);
    const approved = await cli("show", turn.runs[0]?.runId ?? "", "--json");
    expect(JSON.parse(approved.stdout).approvals[0]).toMatchObject({
      status: "approved",
      decidedBy: "cli-chat:lead",
    });
    const shown = await cli("show", turn.turnRunId);
    expect(shown.stdout).toMatch(/support_triage/);
  });

  it("fails clearly on an empty message or an unknown conversation", async () => {
    const empty = await cli("chat", "--message", " ");
    expect(empty.code).not.toBe(0);
    expect(empty.stderr).toMatch(/message is empty/);
    const unknown = await cli("chat", "--conversation", "conv-missing", "--message", "hi");
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toMatch(/no conversation with id "conv-missing"/);
  });
});
