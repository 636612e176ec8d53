import { randomBytes, randomUUID } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Child, pollUntil, runCli, spawnNode } from "../fixtures/child-process.ts";
import { tempHome } from "../support/runtime.ts";

// The demo webhook of `signalbox serve` with no config, end to end: the real CLI, a real socket.
const SECRET = `whsec_${randomBytes(24).toString("base64")}`;

describe("signalbox serve: the demo webhook support", () => {
  let home: string;
  let cleanup: () => void;
  let child: Child;
  let hook: string;

  beforeAll(async () => {
    ({ home, cleanup } = tempHome("signalbox-serve-hook-"));
    child = spawnNode(["bin/signalbox.js", "--home", home, "serve", "--port", "0"], {
      SIGNALBOX_WEBHOOK_SECRET: SECRET,
    });
    hook = await pollUntil(
      "the webhook URL",
      () => /webhook support: POST (\S+)/.exec(child.stdout())?.[1],
      {
        child,
      },
    );
  });

  afterAll(async () => {
    child?.process.kill("SIGTERM");
    if (child) expect((await child.exited).code).toBe(0);
    cleanup();
  });

  it("starts support_triage from a signed delivery; show names the delivery", async () => {
    expect(hook).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/hooks\/support$/);
    const body = JSON.stringify({ customerId: "C-1001", message: "Where is my order?" });
    const id = `msg_${randomUUID()}`;
    const at = new Date();
    const response = await fetch(hook, {
      method: "POST",
      body,
      headers: {
        "content-type": "application/json",
        "webhook-id": id,
        "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
        "webhook-signature": new Webhook(SECRET).sign(id, at, body),
      },
    });
    expect(response.status).toBe(202);
    const { runId } = (await response.json()) as { runId: string };
    const shown = await pollUntil("the finished run", async () => {
      const result = await runCli(["--home", home, "show", runId]);
      return /succeeded/.test(result.stdout) ? result.stdout : undefined;
    });
    expect(shown).toContain(`started by webhook support (delivery ${id})`);
    expect(shown).toContain("trigger webhook");
  });
});
