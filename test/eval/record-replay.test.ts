import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadEvalSuite } from "../../src/eval/load-suite.ts";
import { runEval } from "../../src/eval/run-eval.ts";
import type { EvalResult } from "../../src/eval/types.ts";
import { SqliteRunStore } from "../../src/store/sqlite-store.ts";
import {
  type OpenAiTestServer,
  promptText,
  startOpenAiTestServer,
} from "../../src/testing/openai-server.ts";
import { keywordReply, writeOfflineVsLocalSuite } from "../fixtures/tiny-suite.ts";
import { tempHome } from "../support/runtime.ts";

const TRAIN = `text,label
I want my money back,refund
please refund my order,refund
refund the duplicate charge,refund
give me a refund for the broken item,refund
the app crashes when I open it,technical
error 500 when uploading a file,technical
I cannot log in to my account,technical
the export button does nothing,technical
what is the weather tomorrow,out_of_scope
`;

const TEST = `text,label
please refund my order,refund
the app crashes on start,technical
hmm about the thing from last week,technical
my money for the thing that broke,refund
tell me a joke,out_of_scope
`;

let cleanups: (() => void)[] = [];
let servers: OpenAiTestServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  for (const cleanup of cleanups.splice(0)) cleanup();
  cleanups = [];
  servers = [];
});

/** A stand-in for a real model: answers by keyword, with token usage. */
async function fakeModel() {
  const server = await startOpenAiTestServer();
  servers.push(server);
  server.respondWith((request) => {
    const text = promptText(request).split("\n").at(-1) ?? "";
    const branch = /crash|thing from last week/.test(text)
      ? "technical"
      : /money|refund/.test(text)
        ? "refund"
        : "escalate";
    return keywordReply(branch);
  });
  return server;
}

function writeSuite(directory: string, url: string) {
  return writeOfflineVsLocalSuite(directory, { train: TRAIN, test: TEST }, url, {
    fixture: "fixtures/tiny.local.json",
    prices: { inputPerMillion: 1, outputPerMillion: 2 },
  });
}

async function run(file: string, home: string, options: { record?: boolean } = {}) {
  const suite = await loadEvalSuite(file);
  const store = new SqliteRunStore(join(home, "signalbox.db"));
  try {
    return await runEval({ suite, store, concurrency: 2, ...options });
  } finally {
    await store.close();
  }
}

const choices = (result: EvalResult, config: string) =>
  result.configs
    .find((entry) => entry.name === config)
    ?.cases.map((item) => [item.id, item.outcome.routes.classify?.choice]);

describe("recording and replaying LLM replies", () => {
  it("records a live model's replies, then replays them offline with the same results", async () => {
    const { home, cleanup } = tempHome("signalbox-eval-rr-");
    cleanups.push(cleanup);
    const server = await fakeModel();
    const file = writeSuite(home, server.url);

    const recorded = await run(file, home, { record: true });
    const local = recorded.configs.find((config) => config.name === "local");
    expect(local?.replyMode).toBe("record");
    expect(server.requests.length).toBeGreaterThan(0);
    expect(local?.summary.llmDecisions).toBe(server.requests.length);
    expect(local?.summary.tokensIn).toBe(120 * server.requests.length);
    expect(local?.summary.costUsd).toBeGreaterThan(0);
    const fixture = JSON.parse(readFileSync(join(home, "fixtures/tiny.local.json"), "utf8"));
    expect(Object.keys(fixture.replies)).toHaveLength(server.requests.length);

    await server.close();
    const replayed = await run(file, home);
    const again = replayed.configs.find((config) => config.name === "local");
    expect(again?.replyMode).toBe("replay");
    expect(again?.replayMisses).toBe(0);
    expect(choices(replayed, "local")).toEqual(choices(recorded, "local"));
    expect(again?.summary.tokensIn).toBe(local?.summary.tokensIn);
    // The cascade: confident classifier decisions never reached the model.
    expect(again?.summary.llmAvoided).toBe(
      (again?.summary.cases ?? 0) - (again?.summary.llmDecisions ?? 0),
    );
  });

  it("counts a request the fixture has no reply for as a replay miss, and takes the default", async () => {
    const { home, cleanup } = tempHome("signalbox-eval-rr-");
    cleanups.push(cleanup);
    const server = await fakeModel();
    const file = writeSuite(home, server.url);
    await run(file, home, { record: true });
    await server.close();

    appendFileSync(join(home, "test.csv"), "something nobody recorded,technical\n");
    const replayed = await run(file, home);
    const local = replayed.configs.find((config) => config.name === "local");
    expect(local?.replayMisses).toBeGreaterThan(0);
    const unrecorded = local?.cases.at(-1);
    expect(unrecorded?.passed).toBe(false);
    expect(unrecorded?.outcome.routes.classify).toMatchObject({
      choice: "escalate",
      decidedBy: "default",
    });
  });

  it("refuses to replay a fixture that was never recorded", async () => {
    const { home, cleanup } = tempHome("signalbox-eval-rr-");
    cleanups.push(cleanup);
    const file = writeSuite(home, "http://127.0.0.1:9/v1");
    await expect(run(file, home)).rejects.toThrow(/no recorded replies at .*--record/);
  });
});
