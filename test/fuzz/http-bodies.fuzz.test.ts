import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Runtime } from "../../src/runtime/runtime.ts";
import { type SignalboxHttpServer, startHttpServer } from "../../src/server/http-server.ts";
import { createBuiltinWorkflows } from "../../src/workflows/index.ts";
import { openTestRuntime, tempHome } from "../support/runtime.ts";
import { anyJson, awkwardText, fuzzSettings } from "./fuzz-settings.ts";

const temp = tempHome("signalbox-fuzz-http-");
let runtime: Runtime;
let server: SignalboxHttpServer;
let base: string;

beforeAll(async () => {
  ({ runtime } = openTestRuntime(temp.home, createBuiltinWorkflows({ home: temp.home })));
  server = await startHttpServer(runtime, { port: 0, maxBodyBytes: 64 * 1024 });
  base = server.url.replace(/\/mcp$/, "");
});
afterAll(async () => {
  await server.close();
  await runtime.close();
  temp.cleanup();
});

/** Bodies near each endpoint's shape, any JSON, and text that is not JSON at all. */
const chatBody = fc.oneof(
  fc.record(
    { message: fc.oneof(anyJson, awkwardText), conversationId: anyJson, user: anyJson },
    { requiredKeys: [] },
  ),
  anyJson,
);
const completionBody = fc.oneof(
  fc.record(
    {
      messages: fc.oneof(
        anyJson,
        fc.array(
          fc.record(
            {
              role: fc.oneof(fc.constantFrom("user", "assistant", "system", "tool"), anyJson),
              content: anyJson,
            },
            { requiredKeys: [] },
          ),
          { maxLength: 3 },
        ),
      ),
      stream: anyJson,
      model: anyJson,
    },
    { requiredKeys: [] },
  ),
  anyJson,
);
const asText = (body: unknown) =>
  fc.oneof(fc.constant(JSON.stringify(body)), awkwardText).map((text) => text);

async function post(path: string, body: string) {
  const response = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body,
  });
  return { status: response.status, text: await response.text() };
}

const chatRuns = async () => (await runtime.list({ workflow: "chat", limit: 100_000 })).length;

describe("HTTP JSON bodies (fuzz)", () => {
  for (const [path, arbitrary] of [
    ["/api/chat", chatBody],
    ["/v1/chat/completions", completionBody],
  ] as const) {
    it(`${path}: never a 5xx; a 400 names the field; nothing stored for it`, async () => {
      await fc.assert(
        fc.asyncProperty(arbitrary.chain(asText), async (body) => {
          const before = await chatRuns();
          const { status, text } = await post(path, body);
          expect(status, text).toBeLessThan(500);
          if (status === 200) return;
          expect([400, 404, 413], text).toContain(status);
          expect(await chatRuns()).toBe(before);
          const message = (JSON.parse(text) as { error: { message: string } }).error.message;
          // A 400 starts with the field path (`messages.0.role: …`, `(root): …`) or is one
          // of the named checks after the schema: JSON syntax, the message, the last role, the user.
          if (status === 400)
            expect(message, body).toMatch(
              /^(\(root\)|[\w.]+): |JSON|^the message |^the last message|^user /,
            );
        }),
        fuzzSettings(Math.max(50, Math.floor(fuzzSettings().numRuns / 2))),
      );
      const models = await fetch(`${base}/v1/models`);
      expect(models.status).toBe(200); // still serving
    });
  }
});
