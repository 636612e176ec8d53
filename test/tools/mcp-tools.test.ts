import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { openRuntime } from "../../src/cli/open-runtime.ts";
import { isSignalboxError } from "../../src/errors.ts";
import { defineWorkflow } from "../../src/graph/workflow.ts";
import type { Runtime } from "../../src/runtime/runtime.ts";
import { type SignalboxHttpServer, startHttpServer } from "../../src/server/http-server.ts";
import { ScriptedChatModel } from "../../src/testing/scripted-chat-model.ts";
import { type McpServerConfig, readMcpServersConfig } from "../../src/tools/mcp-config.ts";
import { inputSchemaOf } from "../../src/tools/mcp-tool-schema.ts";
import {
  loadMcpTools,
  MCP_IDEMPOTENCY_KEY_META,
  type McpToolset,
} from "../../src/tools/mcp-tools.ts";
import type { ToolRegistry } from "../../src/tools/tool-registry.ts";
import { createBuiltinWorkflows } from "../../src/workflows/index.ts";
import { REPO_ROOT } from "../fixtures/child-process.ts";
import { example } from "../mcp/mcp-clients.ts";
import { openTestRuntime, tempHome } from "../support/runtime.ts";
import { call, toolDecisions, toolMessages } from "./agent-backend.ts";

// Real transports: the tiny fixture server as a child process over stdio, and our own HTTP server.
type Call = {
  event: string;
  tool?: string;
  args?: Record<string, unknown>;
  meta?: object;
  pid?: number;
};

const temp = tempHome("signalbox-mcp-client-");
const callsFile = join(temp.home, "tiny-calls.jsonl");
let mcp: McpToolset;

function tiny(overrides: Partial<McpServerConfig> & Record<string, unknown> = {}): McpServerConfig {
  return {
    name: "tiny",
    command: process.execPath,
    args: ["--import", "tsx", "test/fixtures/tiny-mcp-server.ts"],
    cwd: REPO_ROOT,
    env: { TINY_MCP_CALLS: callsFile },
    ...overrides,
  } as McpServerConfig;
}

/** What reached the fixture server: its log lines, optionally only the calls of one tool. */
const logged = (file: string): Call[] =>
  readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Call);
const calls = (tool: string) =>
  logged(callsFile).filter((entry) => entry.event === "call" && entry.tool === tool);

function weatherDesk(registry: ToolRegistry, model: ScriptedChatModel, tools: string[]) {
  return defineWorkflow({
    name: "weather_desk",
    description: "answers with the help of external MCP tools",
    version: "1",
    input: z.object({ question: z.string() }),
    output: z.object({ reply: z.string() }),
  })
    .agent("assist", {
      instructions: "You help people with the weather and their mail.",
      tools,
      registry,
      model,
      prompt: (state) => state.input.question,
      result: (_state, answer) => ({ output: { reply: answer } }),
    })
    .compile();
}

type Turns = ConstructorParameters<typeof ScriptedChatModel>[0];

/** A runtime with the agent workflow, over a fresh SQLite file. */
function openDesk(tools: string[], turns: Turns, registry = mcp.registry) {
  const model = new ScriptedChatModel(turns);
  const home = tempHome("signalbox-mcp-desk-");
  const { runtime } = openTestRuntime(home.home, [weatherDesk(registry, model, tools)]);
  const done = async () => {
    await runtime.close();
    home.cleanup();
  };
  return { model, runtime, done };
}

const rejection = async (promise: Promise<unknown>): Promise<string> => {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(isSignalboxError(error, "CONFIG_INVALID")).toBe(true);
  return (error as Error).message;
};

beforeAll(async () => {
  mcp = await loadMcpTools({
    servers: [
      tiny({ tools: { open_vault: { allow: false }, shred_letters: { requiresApproval: true } } }),
    ],
  });
});

afterAll(async () => {
  await mcp?.close();
  temp.cleanup();
});

describe("loadMcpTools over stdio", () => {
  it("turns the server's tools into signalbox tools: names, descriptions, effects, approval", () => {
    const tools = mcp.tools.map((tool) => [tool.name, tool.effect, tool.needsApproval({})]);
    expect(tools).toEqual([
      ["tiny__lookup_weather", "read", false],
      ["tiny__send_postcard", "write", false],
      ["tiny__shred_letters", "irreversible", true],
    ]);
    const weather = mcp.registry.get("tiny__lookup_weather");
    expect(weather.description).toBe("Look up today's weather forecast for a city");
    expect(weather.parameters).toMatchObject({
      properties: { city: { type: "string", description: "The city, e.g. Paris" } },
      required: ["city", "rationale"],
    });
    expect(weather.input.safeParse({ city: 7 }).success).toBe(false);
  });

  it("runs read tools, journals write tools, refuses tools off the allow-list, returns errors to the model", async () => {
    const desk = openDesk(
      ["tiny__lookup_weather", "tiny__send_postcard"],
      [
        {
          toolCalls: [
            call("tiny__lookup_weather", { city: "Paris", rationale: "they are in Paris" }),
            call("tiny__lookup_weather", { city: "Atlantis", rationale: "and Atlantis" }),
          ],
        },
        {
          toolCalls: [
            call("tiny__send_postcard", {
              to: "Ada",
              message: "Sunny in Paris!",
              rationale: "asked",
            }),
            call("tiny__shred_letters", { count: 3, rationale: "tidy up" }),
          ],
        },
        "Sunny in Paris, no station in Atlantis; Ada's postcard is on its way.",
      ],
    );
    try {
      const run = await desk.runtime.start("weather_desk", {
        question: "Weather? Postcard to Ada.",
      });
      expect(run.status).toBe("succeeded");
      const details = await desk.runtime.get(run.id);
      expect(toolDecisions(details.decisions).map((decision) => decision.choice)).toEqual([
        "tiny__lookup_weather",
        "tiny__lookup_weather",
        "tiny__send_postcard",
        "refused",
      ]);
      expect(toolMessages(desk.model.requests[1])).toEqual([
        'tiny__lookup_weather: {"city":"Paris","forecast":"sunny","temperatureC":21}',
        "tiny__lookup_weather: Error: no weather station in Atlantis: it is under water",
      ]);
      const [postcard, refusal] = toolMessages(desk.model.requests[2]).slice(2);
      expect(postcard).toBe("tiny__send_postcard: postcard to Ada is in the mail");
      expect(refusal).toContain(
        'tiny__shred_letters: Error: tool "tiny__shred_letters" is not available to this agent',
      );
      const [effect] = details.effects;
      expect(details.effects).toHaveLength(1);
      expect(effect).toMatchObject({ name: "tiny__send_postcard", status: "completed" });
      expect(effect?.result).toBe("postcard to Ada is in the mail");
      const postcards = calls("send_postcard");
      expect(postcards.map((entry) => entry.args)).toEqual([
        { to: "Ada", message: "Sunny in Paris!" },
      ]);
      expect(postcards[0]?.meta).toMatchObject({ [MCP_IDEMPOTENCY_KEY_META]: effect?.key });
      expect(calls("shred_letters")).toEqual([]);
    } finally {
      await desk.done();
    }
  });

  it("plans the write tool in a dry run without calling the server; read tools still run", async () => {
    const desk = openDesk(
      ["tiny__lookup_weather", "tiny__send_postcard"],
      [
        { toolCalls: [call("tiny__lookup_weather", { city: "Oslo", rationale: "weather" })] },
        {
          toolCalls: [
            call("tiny__send_postcard", { to: "Grace", message: "dry", rationale: "asked" }),
          ],
        },
        "Would send Grace a postcard.",
      ],
    );
    try {
      const run = await desk.runtime.start(
        "weather_desk",
        { question: "Postcard" },
        { dryRun: true },
      );
      expect(run.status).toBe("succeeded");
      const details = await desk.runtime.get(run.id);
      expect(details.effects.map((effect) => [effect.name, effect.status])).toEqual([
        ["tiny__send_postcard", "planned"],
      ]);
      expect(calls("lookup_weather").map((entry) => entry.args?.city)).toContain("Oslo");
      expect(calls("send_postcard").filter((entry) => entry.args?.to === "Grace")).toEqual([]);
    } finally {
      await desk.done();
    }
  });

  it("waits for a human approval before a configured tool, then calls it once", async () => {
    const desk = openDesk(
      ["tiny__shred_letters"],
      [
        { toolCalls: [call("tiny__shred_letters", { count: 2, rationale: "asked to" })] },
        "Shredded.",
      ],
    );
    try {
      const run = await desk.runtime.start("weather_desk", { question: "Shred two letters" });
      expect(run.status).toBe("waiting");
      expect(calls("shred_letters")).toEqual([]);
      const approved = await desk.runtime.approve(run.id, { by: "ada", comment: "fine" });
      expect(approved.status).toBe("succeeded");
      expect(calls("shred_letters").map((entry) => entry.args)).toEqual([{ count: 2 }]);
      desk.model.assertConsumed();
    } finally {
      await desk.done();
    }
  });

  it("keeps the model's view of schemas zod cannot express, accepting any object", () => {
    const exotic = inputSchemaOf({
      inputSchema: {
        type: "object",
        properties: { kind: { type: "string" } },
        if: { properties: { kind: { const: "a" } } },
        // biome-ignore lint/suspicious/noThenProperty: a JSON Schema keyword, not a promise
        then: { required: ["kind"] },
      },
    });
    expect(exotic.exact).toBe(false);
    expect(exotic.json).toMatchObject({ properties: { kind: { type: "string" } } });
    expect(exotic.schema.safeParse({ anything: 1 }).success).toBe(true);
  });
});

describe("MCP server configuration", () => {
  it("names the server and the field of a bad entry", async () => {
    const cases = await Promise.all([
      rejection(loadMcpTools({ servers: [{ name: "tiny", comand: "node" }] } as never)),
      rejection(loadMcpTools({ servers: [tiny({ agrs: [] })] })),
      rejection(loadMcpTools({ servers: [{ name: "crm", url: "not a url" }] })),
      rejection(loadMcpTools({ servers: [tiny({ tools: { send_postcrd: { effect: "read" } } })] })),
    ]);
    expect(cases[0]).toMatch(/server "tiny" \(servers\[0\]\): give either "command" .* or "url"/);
    expect(cases[1]).toMatch(/server "tiny" \(servers\[0\]\): .*agrs/);
    expect(cases[2]).toMatch(/server "crm" \(servers\[0\]\): url: expected an http\(s\) URL/);
    expect(cases[3]).toContain(
      'MCP server "tiny": "tools" names "send_postcrd", which the server does not have; its tools: lookup_weather, send_postcard, shred_letters, open_vault',
    );
  });

  it("says which server could not be reached, and why", async () => {
    const port = await closedPort();
    const [broken, missing, http] = await Promise.all([
      rejection(
        loadMcpTools({ servers: [tiny({ name: "broken", env: { TINY_MCP_FAIL_START: "1" } })] }),
      ),
      rejection(loadMcpTools({ servers: [{ name: "ghost", command: "/no/such/mcp-server" }] })),
      rejection(loadMcpTools({ servers: [{ name: "crm", url: `http://127.0.0.1:${port}/mcp` }] })),
    ]);
    expect(broken).toMatch(
      /^MCP server "broken" \(stdio: .*tiny-mcp-server.ts\) could not be reached: /,
    );
    expect(broken).toContain("its stderr ends with: tiny: cannot open the weather database");
    expect(missing).toMatch(
      /MCP server "ghost" \(stdio: \/no\/such\/mcp-server\) could not be reached: .*ENOENT/,
    );
    expect(http).toMatch(
      /MCP server "crm" \(http: http:\/\/127\.0\.0\.1:\d+\/mcp\) could not be reached: .*ECONNREFUSED/,
    );
  });

  it("reads mcp-servers.json, filling variables from the environment", () => {
    const file = join(temp.home, "servers.json");
    const entry = {
      name: "crm",
      url: "https://crm.example/mcp",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the configuration's own placeholder syntax
      headers: { Authorization: "Bearer ${CRM_TOKEN}" },
    };
    writeFileSync(file, JSON.stringify({ servers: [entry] }));
    const config = readMcpServersConfig(file, { environment: { CRM_TOKEN: "s3cret" } });
    expect(config?.servers[0]).toMatchObject({ headers: { Authorization: "Bearer s3cret" } });
    expect(() => readMcpServersConfig(file, { environment: {} })).toThrow(
      /server "crm" \(servers\[0\]\): headers.Authorization uses \$\{CRM_TOKEN\}, which is not set/,
    );
    expect(readMcpServersConfig(join(temp.home, "none.json"))).toBeUndefined();
    expect(() => readMcpServersConfig(join(temp.home, "none.json"), { required: true })).toThrow(
      /does not exist/,
    );
    writeFileSync(file, "{ servers: ");
    expect(() => readMcpServersConfig(file)).toThrow(/servers.json\): not valid JSON/);
  });

  it("the CLI runtime loads <home>/mcp-servers.json and stops the servers when it closes", async () => {
    const home = tempHome("signalbox-mcp-cli-");
    const cliCalls = join(home.home, "calls.jsonl");
    const server = tiny({ env: { TINY_MCP_CALLS: cliCalls }, prefix: "" });
    writeFileSync(join(home.home, "mcp-servers.json"), JSON.stringify({ servers: [server] }));
    try {
      const nested = openRuntime({ home: home.home }, { SIGNALBOX_MCP_DEPTH: "3" });
      expect(await rejection(nested)).toMatch(/MCP servers nest 3 deep .*start signalbox/);
      const runtime = await openRuntime({ home: home.home }, {});
      // Nothing is started until a tool is asked for.
      expect(existsSync(cliCalls) ? logged(cliCalls) : []).toEqual([]);
      expect((await runtime.tools()).names()).toEqual([
        "lookup_weather",
        "send_postcard",
        "shred_letters",
        "open_vault",
      ]);
      const [start] = logged(cliCalls);
      await runtime.close();
      expect(() => process.kill(start?.pid ?? 0, 0)).toThrow(/ESRCH/);
    } finally {
      home.cleanup();
    }
  });
});

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 9));
    });
  });
}

describe("loadMcpTools over Streamable HTTP", () => {
  let served: Runtime;
  let http: SignalboxHttpServer;
  const servedHome = tempHome("signalbox-mcp-served-");

  beforeAll(async () => {
    ({ runtime: served } = openTestRuntime(servedHome.home, createBuiltinWorkflows(servedHome)));
    http = await startHttpServer(served, { port: 0 });
  });

  afterAll(async () => {
    await http?.close();
    await served?.close();
    servedHome.cleanup();
  });

  it("uses our own signalbox serve as the external server: support_triage as an agent's tool", async () => {
    const remote = await loadMcpTools({ servers: [{ name: "signalbox", url: http.url }] });
    const args = { ...example("refund-request"), rationale: "a refund" };
    const desk = openDesk(
      ["signalbox__support_triage"],
      [{ toolCalls: [call("signalbox__support_triage", args)] }, "Refunded."],
      remote.registry,
    );
    try {
      const effects = Object.fromEntries(remote.tools.map((tool) => [tool.name, tool.effect]));
      expect(effects).toMatchObject({
        signalbox__support_triage: "write",
        signalbox__get_run: "read",
        signalbox__cancel_run: "irreversible",
      });
      const run = await desk.runtime.start("weather_desk", { question: "Ada was charged twice" });
      expect(run.status).toBe("succeeded");
      const [effect] = (await desk.runtime.get(run.id)).effects;
      expect(effect).toMatchObject({ name: "signalbox__support_triage", status: "completed" });
      const result = effect?.result as { runId: string; status: string; output: object };
      expect(result).toMatchObject({ workflow: "support_triage", status: "succeeded" });
      expect(result.output).toMatchObject({ intent: "refund", action: "refunded" });
      expect((await served.get(result.runId)).run).toMatchObject({
        trigger: "mcp",
        status: "succeeded",
      });
    } finally {
      await desk.done();
      await remote.close();
    }
  });
});
