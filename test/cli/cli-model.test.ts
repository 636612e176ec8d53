import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OpenAiTestServer, startOpenAiTestServer } from "../../src/testing/openai-server.ts";
import { tempHome } from "../support/runtime.ts";

const exec = promisify(execFile);

let server: OpenAiTestServer;
let home: string;
let cleanup: () => void;
beforeAll(async () => {
  server = await startOpenAiTestServer();
  ({ home, cleanup } = tempHome("signalbox-cli-model-"));
});
afterAll(async () => {
  await server.close();
  cleanup();
});

function signalbox(args: string[], environment: Record<string, string>) {
  return exec("node", ["bin/signalbox.js", "--home", home, ...args], {
    env: { ...process.env, ...environment },
  });
}

describe("signalbox with SIGNALBOX_MODEL pointed at an OpenAI-compatible server", () => {
  it("routes the support triage through the LLM when the classifier is unsure", async () => {
    server.enqueue({
      kind: "json",
      value: {
        branch: "technical",
        reason: "the customer describes a malfunction",
        confidence: 0.85,
      },
      usage: { prompt: 400, completion: 20 },
    });
    const input = JSON.stringify({
      customerId: "C-1007",
      message: "hmm, since yesterday the thing just spins forever",
    });
    const { stdout } = await signalbox(["run", "support_triage", "--input", input, "--json"], {
      SIGNALBOX_MODEL: `openai-compatible:test-model@${server.url}`,
    });
    const details = JSON.parse(stdout) as {
      run: { status: string; output: { intent: string } };
      decisions: { node: string; decidedBy: string; tokensIn: number | null }[];
    };
    expect(details.run.status).toBe("succeeded");
    expect(details.run.output.intent).toBe("technical");
    expect(details.decisions.find((decision) => decision.node === "classify_intent")).toMatchObject(
      { decidedBy: "llm", tokensIn: 400 },
    );
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.body.model).toBe("test-model");
  });

  it("rejects a malformed model name, naming the variable", async () => {
    const failed = await signalbox(["workflows"], { SIGNALBOX_MODEL: "gpt-4o" }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toContain('SIGNALBOX_MODEL "gpt-4o" is invalid');
  });

  it("rejects a bad limit or price setting, naming the variable and the expected form", async () => {
    const failed = await signalbox(["workflows"], { SIGNALBOX_MODEL_PRICES: "cheap" }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toContain(
      "SIGNALBOX_MODEL_PRICES: expected '<input>,<output>' US dollars per million tokens",
    );
  });

  it("says once that it runs offline when no model is configured", async () => {
    const { stderr } = await signalbox(
      ["run", "support_triage", "--input", "@examples/refund-request.json"],
      { SIGNALBOX_MODEL: "" },
    );
    expect(stderr.match(/model: offline/g)).toHaveLength(1);
  });
});
