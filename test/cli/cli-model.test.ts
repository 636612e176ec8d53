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
  it("routes the support triage through the LLM when the classifier is unsure, and its technical agent calls tools through it", async () => {
    server.enqueue(
      {
        kind: "json",
        value: {
          branch: "technical",
          reason: "the customer describes a malfunction",
          confidence: 0.85,
        },
        usage: { prompt: 400, completion: 20 },
      },
      // Issue 16: the technical branch is an agent step, and it uses the configured model.
      {
        kind: "tool_calls",
        calls: [
          {
            name: "search_help_center",
            arguments: { query: "login page keeps loading", rationale: "find the article" },
          },
        ],
        usage: { prompt: 900, completion: 30 },
      },
      {
        kind: "tool_calls",
        calls: [
          {
            name: "final_answer",
            arguments: {
              answer: "Clear the cookies for app.fieldnote.example and sign in again.",
              article: "kb-login-loop",
              resolution: "answered",
              ticketId: null,
            },
          },
        ],
        usage: { prompt: 1400, completion: 40 },
      },
    );
    const input = JSON.stringify({
      customerId: "C-1007",
      message: "hmm, since yesterday the thing just spins forever",
    });
    const { stdout } = await signalbox(["run", "support_triage", "--input", input, "--json"], {
      SIGNALBOX_MODEL: `openai-compatible:test-model@${server.url}`,
    });
    const details = JSON.parse(stdout) as {
      run: { status: string; output: { intent: string; article: string | null } };
      decisions: {
        node: string;
        kind: string;
        choice: string;
        decidedBy: string;
        tokensIn: number | null;
      }[];
    };
    expect(details.run.status).toBe("succeeded");
    expect(details.run.output).toMatchObject({ intent: "technical", article: "kb-login-loop" });
    expect(details.decisions.find((decision) => decision.node === "classify_intent")).toMatchObject(
      { decidedBy: "llm", tokensIn: 400 },
    );
    expect(details.decisions.find((decision) => decision.node === "solve_technical")).toMatchObject(
      { kind: "tool", choice: "search_help_center", decidedBy: "llm", tokensIn: 900 },
    );
    expect(server.requests).toHaveLength(3);
    expect(server.requests[0]?.body.model).toBe("test-model");
    expect(server.remaining()).toBe(0);
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
