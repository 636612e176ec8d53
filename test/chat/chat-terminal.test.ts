import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCliCaptured } from "../support/cli.ts";
import { tempHome } from "../support/runtime.ts";

const hasTmux = (() => {
  try {
    execFileSync("tmux", ["-V"]);
    return true;
  } catch {
    return false;
  }
})();

const session = `signalbox-chat-${process.pid}`;
const { home, cleanup } = tempHome("signalbox-chat-tty-");
const tmux = (...args: string[]) => execFileSync("tmux", args, { encoding: "utf8" });
const screen = () => tmux("capture-pane", "-p", "-J", "-S", "-200", "-t", session);

async function waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = screen();
    if (pattern.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`screen never matched ${pattern}:\n${text}`);
    await new Promise((done) => setTimeout(done, 150));
  }
}

afterAll(() => {
  if (hasTmux) {
    try {
      tmux("kill-session", "-t", session);
    } catch {
      // already gone
    }
  }
  cleanup();
});

describe.skipIf(!hasTmux)("signalbox chat in a terminal (tmux)", () => {
  it("runs a workflow, asks for approval, refuses the requester's /approve, lists /runs once someone else approved, quits", async () => {
    const bin = resolve("bin/signalbox.js");
    tmux(
      "new-session",
      "-d",
      "-s",
      session,
      "-x",
      "160",
      "-y",
      "50",
      `node ${bin} --home ${home} --model offline chat --user ada`,
    );
    await waitFor(/you> /);
    tmux(
      "send-keys",
      "-t",
      session,
      "-l",
      "Customer C-1005: the software did not work at all, I want my money back for order 5031.",
    );
    tmux("send-keys", "-t", session, "Enter");
    const asked = await waitFor(/approval needed: Refund 1200\.00 EUR[\s\S]*you> $/m);
    expect(asked).toMatch(/→ support_triage/);
    expect(asked).toMatch(/assistant> I ran support_triage/);
    // Issue #11: the one who asked for the refund may not approve it too.
    tmux("send-keys", "-t", session, "/approve", "Enter");
    await waitFor(/ada asked for run \S+ and may not approve it too/);
    const runId = /run (\S+) \(support_triage\): waiting/.exec(asked)?.[1] ?? "";
    const approved = await runCliCaptured(["--home", home, "approve", runId, "--by", "lead"]);
    expect(approved.code, approved.stderr).toBe(0);
    tmux("send-keys", "-t", session, "/runs", "Enter");
    const listed = await waitFor(/support_triage {2}succeeded/);
    expect(listed).toMatch(/decision path:/);
    tmux("send-keys", "-t", session, "/quit", "Enter");
    await waitFor(/bye/);
  }, 60_000);
});
