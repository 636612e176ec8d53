/**
 * Records the `local-llm` replies of the support-triage suite: starts the local
 * OpenAI-compatible test server answering as the stand-in model, runs the suite's
 * `local-llm` configuration with --record semantics against it (the configured
 * base URL is rewritten to the server's), and writes
 * evals/fixtures/support-triage.local-llm.json. Run it again whenever a prompt,
 * tool description, article or case changes (replays then miss):
 *
 *   npx tsx evals/record-stand-in.ts
 */
import { loadEvalSuite } from "../src/eval/load-suite.ts";
import { runEval } from "../src/eval/run-eval.ts";
import { SqliteRunStore } from "../src/store/sqlite-store.ts";
import { startOpenAiTestServer } from "../src/testing/openai-server.ts";
import { standInReply } from "./stand-in-model.ts";

const server = await startOpenAiTestServer({ handler: standInReply });
const store = new SqliteRunStore(":memory:");
try {
  const suite = await loadEvalSuite("support-triage", { cwd: process.cwd() });
  const redirect: typeof fetch = (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    return fetch(url.replace(/^https?:\/\/[^/]+\/v1/, server.url), init);
  };
  const result = await runEval({
    suite,
    store,
    models: ["local-llm"],
    record: true,
    settings: { fetch: redirect, apiKey: "stand-in" },
  });
  const config = result.configs[0];
  process.stdout.write(
    `recorded ${server.requests.length} replies; ${config?.summary.passed}/${config?.summary.cases} cases pass\n`,
  );
} finally {
  await store.close();
  await server.close();
}
