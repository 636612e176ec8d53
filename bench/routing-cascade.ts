/**
 * What the cascade is worth with an LLM tier (issue 15): the Banking77 suite
 * run three ways on the same cases: the offline classifier alone, the cascade
 * (classifier decides at or above its threshold, the LLM below it) and the LLM
 * alone. The LLM is the local OpenAI-compatible test server; its replies are
 * first recorded into fixtures, then the figures come from a replay with the
 * server closed, so `@langchain/openai` runs over a real socket and then from
 * the recorded replies.
 *
 * The stand-in model answers every request with the case's true intent (an
 * oracle: there is no real model on this machine). So "LLM-only accuracy" is an
 * upper bound, and what the figures measure is the cascade itself: LLM calls
 * avoided, and the accuracy it gives up by letting the classifier decide alone.
 * Record a real model's replies (`signalbox eval banking77 --record` with an
 * LLM configuration) to measure a real LLM the same way.
 *
 * Run: npx tsx bench/routing-cascade.ts   ($CASCADE_LIMIT cases, default 770)
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadEvalSuite } from "../src/eval/load-suite.ts";
import { runEval } from "../src/eval/run-eval.ts";
import type { ConfigResult } from "../src/eval/types.ts";
import { parseCsvRecords } from "../src/models/read-csv.ts";
import { SqliteRunStore } from "../src/store/sqlite-store.ts";
import { promptText, startOpenAiTestServer } from "../src/testing/openai-server.ts";
import { banking77Directory } from "./banking77-data.ts";

/** Figures of one configuration on the shared cases. */
export interface CascadeRow {
  readonly config: string;
  readonly cases: number;
  readonly llmCalls: number;
  readonly llmAvoided: number;
  /** Right final branch (an escalation counts as wrong: no case of this suite expects one). */
  readonly accuracy: number;
  readonly escalated: number;
  readonly tokensIn: number;
}

/** The three rows, and how many replies the replay could not find (0 when the recording is whole). */
export interface CascadeResult {
  readonly rows: readonly CascadeRow[];
  readonly replayMisses: number;
}

function suiteFile(directory: string, dataDirectory: string, url: string): string {
  const llm = (name: string, classifierThreshold: number) => ({
    name,
    model: `openai-compatible:recorded-model@${url}`,
    fixture: `fixtures/${name}.json`,
    classifierThreshold,
    minConfidence: 0.5,
  });
  const suite = {
    kind: "classification",
    name: "banking77-cascade",
    data: { directory: dataDirectory },
    train: "train.csv",
    test: "test.csv",
    textColumn: "text",
    labelColumn: "category",
    node: "classify",
    // Above 1, the classifier never decides alone: every case goes to the LLM.
    models: [{ name: "offline", model: "offline" }, llm("cascade", 0.8), llm("llm-only", 1.01)],
  };
  const file = join(directory, "cascade.json");
  writeFileSync(file, JSON.stringify(suite));
  return file;
}

function row(config: ConfigResult): CascadeRow {
  const node = config.summary.nodes[0];
  return {
    config: config.name,
    cases: config.summary.cases,
    llmCalls: config.summary.llmDecisions,
    llmAvoided: config.summary.llmAvoided,
    accuracy: node?.accuracy ?? 0,
    escalated: config.summary.escalationRate,
    tokensIn: config.summary.tokensIn,
  };
}

/** Records the stand-in's replies, then replays them with the server closed; returns the replay's figures. */
export async function measureCascade(options: {
  readonly dataDirectory: string;
  readonly limit: number;
}): Promise<CascadeResult> {
  const tests = parseCsvRecords(readFileSync(join(options.dataDirectory, "test.csv"), "utf8"));
  const key = (text: string) => text.replaceAll(/\s+/g, " ").trim();
  const intents = new Map(tests.map((record) => [key(record.text ?? ""), record.category ?? ""]));
  const longestFirst = [...intents.keys()].sort((left, right) => right.length - left.length);
  const server = await startOpenAiTestServer();
  server.respondWith((request) => {
    const prompt = key(promptText(request));
    const found = longestFirst.find((text) => text !== "" && prompt.endsWith(text));
    const branch = intents.get(found ?? "") ?? "escalate";
    return {
      kind: "json",
      value: { branch, reason: `the request is about ${branch}`, confidence: 0.95 },
      usage: { prompt: 900, completion: 20 },
    };
  });
  const directory = mkdtempSync(join(tmpdir(), "signalbox-cascade-"));
  const run = async (record: boolean) => {
    const suite = await loadEvalSuite(suiteFile(directory, options.dataDirectory, server.url));
    const store = new SqliteRunStore(join(directory, "signalbox.db"));
    try {
      return await runEval({ suite, store, limit: options.limit, record });
    } finally {
      await store.close();
    }
  };
  try {
    await run(true);
    await server.close();
    const replayed = await run(false);
    return {
      rows: replayed.configs.map(row),
      replayMisses: replayed.configs.reduce((total, config) => total + config.replayMisses, 0),
    };
  } finally {
    await server.close().catch(() => {});
    rmSync(directory, { recursive: true, force: true });
  }
}

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

/** The cascade table as markdown. */
export function cascadeTable(result: CascadeResult): string {
  const lines = [
    "| configuration | cases | LLM calls | LLM calls avoided | accuracy (right branch) | escalated |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    ...result.rows.map(
      (entry) =>
        `| ${entry.config} | ${entry.cases} | ${entry.llmCalls} | ${entry.llmAvoided} (${percent(entry.llmAvoided / Math.max(1, entry.cases))}) | ${percent(entry.accuracy)} | ${percent(entry.escalated)} |`,
    ),
  ];
  return lines.join("\n");
}

async function main(): Promise<void> {
  const limit = Number(process.env.CASCADE_LIMIT ?? 770);
  const result = await measureCascade({ dataDirectory: banking77Directory, limit });
  console.log(
    `Banking77, ${limit} test cases spread evenly; LLM = local OpenAI-compatible server replaying recorded replies of an oracle stand-in (${result.replayMisses} replay misses)`,
  );
  console.log(cascadeTable(result));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
