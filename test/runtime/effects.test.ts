import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { isSignalboxError } from "../../src/errors.ts";
import { defineWorkflow } from "../../src/graph/workflow.ts";
import { openTestRuntime, tempHome } from "../support/runtime.ts";

/** A pretend downstream system: what was done to it, in order. */
function createLedger() {
  const actions: string[] = [];
  return { actions, count: (action: string) => actions.filter((entry) => entry === action).length };
}

function orderWorkflow(ledger: ReturnType<typeof createLedger>, failAt?: "ship") {
  return defineWorkflow({
    name: "order",
    description: "charge, reserve, ship",
    version: "1",
    input: z.object({ orderId: z.string(), amount: z.number().positive() }),
    output: z.object({ shipped: z.boolean() }),
    state: { total: z.number() },
  })
    .step("price", {
      effect: "read",
      run: (state) => ({ total: state.input.amount * 1.2 }),
      next: "charge",
    })
    .step("charge", {
      effect: "write",
      describe: (state) => ({ amount: state.total }),
      run: () => {
        ledger.actions.push("charge");
        return {};
      },
      undo: async () => void ledger.actions.push("refund"),
      next: "reserve",
    })
    .step("reserve", {
      effect: "write",
      describe: (state) => ({ orderId: state.input.orderId }),
      run: () => {
        ledger.actions.push("reserve");
        return {};
      },
      undo: async () => void ledger.actions.push("release"),
      next: "ship",
    })
    .step("ship", {
      effect: "irreversible",
      describe: (state) => ({ orderId: state.input.orderId }),
      retry: { maxAttempts: 2, initialIntervalMs: 1, jitter: false },
      run: () => {
        if (failAt === "ship") throw new Error("carrier is down");
        ledger.actions.push("ship");
        return { output: { shipped: true } };
      },
      preview: () => ({ output: { shipped: false } }),
    })
    .compile();
}

const homes: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of homes.splice(0)) cleanup();
});

function open(workflows: Parameters<typeof openTestRuntime>[1]) {
  const { home, cleanup } = tempHome();
  homes.push(cleanup);
  return openTestRuntime(home, workflows);
}

describe("effects", () => {
  it("performs each write effect once and journals it", async () => {
    const ledger = createLedger();
    const { runtime, events } = open([orderWorkflow(ledger)]);
    const run = await runtime.start("order", { orderId: "o1", amount: 10 });
    expect(run.status).toBe("succeeded");
    expect(ledger.actions).toEqual(["charge", "reserve", "ship"]);
    const { effects } = await runtime.get(run.id);
    expect(effects.map((effect) => [effect.name, effect.status])).toEqual([
      ["charge", "completed"],
      ["reserve", "completed"],
      ["ship", "completed"],
    ]);
    expect(effects[0]?.key).toBe(`${run.id}:charge:2:0`);
    expect(
      events
        .filter((event) => event.type === "effect")
        .map((event) => event.type === "effect" && event.status),
    ).toEqual(["performed", "performed", "performed"]);
  });

  it("dry-run performs no write effect and lists the planned ones", async () => {
    const ledger = createLedger();
    const { runtime } = open([orderWorkflow(ledger)]);
    const run = await runtime.start("order", { orderId: "o2", amount: 10 }, { dryRun: true });
    expect(run.status).toBe("succeeded");
    expect(run.dryRun).toBe(true);
    expect(run.output).toEqual({ shipped: false });
    expect(ledger.actions).toEqual([]);
    const { effects } = await runtime.get(run.id);
    expect(effects.map((effect) => [effect.name, effect.status, effect.args])).toEqual([
      ["charge", "planned", { amount: 12 }],
      ["reserve", "planned", { orderId: "o2" }],
      ["ship", "planned", { orderId: "o2" }],
    ]);
  });

  it("compensates completed effects in reverse order when a later step fails after its retries", async () => {
    const ledger = createLedger();
    const { runtime } = open([orderWorkflow(ledger, "ship")]);
    const run = await runtime.start("order", { orderId: "o3", amount: 10 });
    expect(run.status).toBe("compensated");
    expect(run.error).toContain("carrier is down");
    expect(ledger.actions).toEqual(["charge", "reserve", "release", "refund"]);
    const { decisions, effects } = await runtime.get(run.id);
    const retries = decisions.filter((decision) => decision.kind === "retry");
    expect(retries.map((decision) => decision.choice)).toEqual(["retry", "give_up"]);
    expect(retries[0]?.reason).toContain("attempt 1 of 2 failed: carrier is down");
    const compensations = decisions.filter((decision) => decision.kind === "compensation");
    expect(compensations.map((decision) => [decision.node, decision.choice])).toEqual([
      ["reserve", "undone"],
      ["charge", "undone"],
    ]);
    expect(
      effects.filter((effect) => effect.status === "compensated").map((effect) => effect.name),
    ).toEqual(["charge", "reserve"]);
  });

  it("compensates effects performed inside a sub-workflow", async () => {
    const ledger = createLedger();
    const child = defineWorkflow({
      name: "child_pay",
      description: "x",
      version: "1",
      input: z.object({}),
      output: z.object({}),
    })
      .step("pay", {
        effect: "write",
        run: () => {
          ledger.actions.push("pay");
          return { output: {} };
        },
        undo: async () => {
          ledger.actions.push("refund");
        },
      })
      .compile();
    const parent = defineWorkflow({
      name: "parent_pay",
      description: "x",
      version: "1",
      input: z.object({}),
      output: z.object({}),
    })
      .subworkflow("checkout", { workflow: child, input: () => ({}), next: "explode" })
      .step("explode", {
        run: () => {
          throw new Error("shipping failed");
        },
      })
      .compile();
    const { runtime } = open([parent]);
    const run = await runtime.start("parent_pay", {});
    expect(run.status).toBe("compensated");
    expect(ledger.actions).toEqual(["pay", "refund"]);
    const { decisions } = await runtime.get(run.id);
    expect(decisions.find((decision) => decision.kind === "compensation")).toMatchObject({
      node: "checkout/pay",
      choice: "undone",
    });
  });

  it("ends failed when an effect cannot be undone", async () => {
    const actions: string[] = [];
    const workflow = defineWorkflow({
      name: "oneway",
      description: "x",
      version: "1",
      input: z.object({}),
      output: z.object({}),
    })
      .step("send", {
        effect: "write",
        run: () => {
          actions.push("send");
          return {};
        },
        next: "boom",
      })
      .step("boom", {
        run: () => {
          throw new Error("later failure");
        },
      })
      .compile();
    const { runtime } = open([workflow]);
    const run = await runtime.start("oneway", {});
    expect(run.status).toBe("failed");
    const { decisions } = await runtime.get(run.id);
    expect(decisions.find((decision) => decision.kind === "compensation")).toMatchObject({
      choice: "left",
    });
  });

  it("uses a step's fallback after its retries and logs it", async () => {
    let attempts = 0;
    const workflow = defineWorkflow({
      name: "flaky",
      description: "x",
      version: "1",
      input: z.object({}),
      output: z.object({ source: z.string() }),
    })
      .step("fetch", {
        retry: { maxAttempts: 3, initialIntervalMs: 1, jitter: false },
        run: () => {
          attempts += 1;
          throw new Error(`timeout ${attempts}`);
        },
        fallback: () => ({ output: { source: "cache" } }),
      })
      .compile();
    const { runtime } = open([workflow]);
    const run = await runtime.start("flaky", {});
    expect(run.status).toBe("succeeded");
    expect(run.output).toEqual({ source: "cache" });
    expect(attempts).toBe(3);
    const { decisions } = await runtime.get(run.id);
    expect(decisions.map((decision) => [decision.kind, decision.choice])).toEqual([
      ["retry", "retry"],
      ["retry", "retry"],
      ["retry", "give_up"],
      ["fallback", "fallback"],
    ]);
  });

  it("fails a run that exceeds its hard step limit, saying so", async () => {
    const workflow = defineWorkflow({
      name: "loop",
      description: "x",
      version: "1",
      input: z.object({}),
      output: z.object({}),
      maxSteps: 8,
    })
      .route("again", {
        branches: { again: { description: "loop" } },
        decider: null,
        defaultBranch: "again",
      })
      .compile();
    const { runtime } = open([workflow]);
    const run = await runtime.start("loop", {});
    expect(run.status).toBe("failed");
    expect(run.error).toContain("exceeded its hard limit of 8 steps (maxSteps)");
    expect((await runtime.get(run.id)).decisions.length).toBeGreaterThanOrEqual(7);
  });

  it("times a slow step out", async () => {
    const workflow = defineWorkflow({
      name: "slow",
      description: "x",
      version: "1",
      input: z.object({}),
      output: z.object({}),
    })
      .step("wait", {
        timeoutMs: 30,
        run: () => new Promise((resolve) => setTimeout(() => resolve({ output: {} }), 2_000)),
      })
      .compile();
    const { runtime } = open([workflow]);
    const run = await runtime.start("slow", {});
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/timed out|timeout/i);
  });
});

describe("runs", () => {
  const echo = defineWorkflow({
    name: "echo",
    description: "x",
    version: "1",
    input: z.object({ text: z.string().min(1) }),
    output: z.object({ text: z.string() }),
  })
    .step("say", { run: (state) => ({ output: { text: state.input.text } }) })
    .compile();

  it("rejects bad input naming the field and what was expected, storing nothing", async () => {
    const { runtime } = open([echo]);
    const error = await runtime.start("echo", { text: 42 }).catch((caught: unknown) => caught);
    expect(isSignalboxError(error, "INPUT_INVALID")).toBe(true);
    expect((error as Error).message).toContain(
      "text: Invalid input: expected string, received number",
    );
    expect(await runtime.list()).toEqual([]);
  });

  it("names the registered workflows when one is unknown", async () => {
    const { runtime } = open([echo]);
    await expect(runtime.start("ecco", { text: "x" })).rejects.toThrow(
      'no workflow named "ecco"; registered: echo',
    );
  });

  it("runs in the background and can be waited for", async () => {
    const { runtime } = open([echo]);
    const started = await runtime.start("echo", { text: "hi" }, { wait: false });
    expect(started.status).toBe("running");
    const finished = await runtime.wait(started.id);
    expect(finished).toMatchObject({ status: "succeeded", output: { text: "hi" } });
  });

  it("runs a workflow as a step of another, logging the child's decisions under its node", async () => {
    const child = defineWorkflow({
      name: "child",
      description: "x",
      version: "1",
      input: z.object({ n: z.number() }),
      output: z.object({ kind: z.string() }),
    })
      .route("parity", {
        branches: { even: { description: "even" }, odd: { description: "odd" } },
        rules: [
          {
            name: "even",
            when: (state) => (state.input as { n: number }).n % 2 === 0,
            branch: "even",
          },
        ],
        decider: null,
        defaultBranch: "odd",
      })
      .step("even", { run: () => ({ output: { kind: "even" } }) })
      .step("odd", { run: () => ({ output: { kind: "odd" } }) })
      .compile();
    const parent = defineWorkflow({
      name: "parent",
      description: "x",
      version: "1",
      input: z.object({ n: z.number() }),
      output: z.object({ kind: z.string() }),
    })
      .subworkflow("classify", {
        workflow: child,
        input: (state) => ({ n: state.input.n }),
        output: (_state, out) => ({ output: out as { kind: string } }),
      })
      .compile();
    const { runtime } = open([parent]);
    const run = await runtime.start("parent", { n: 4 });
    expect(run.output).toEqual({ kind: "even" });
    const { decisions } = await runtime.get(run.id);
    expect(decisions.map((decision) => [decision.node, decision.choice])).toEqual([
      ["classify/parity", "even"],
    ]);
  });

  it("answers decision queries across runs, e.g. all escalations of a workflow", async () => {
    const triage = defineWorkflow({
      name: "triage",
      description: "x",
      version: "1",
      input: z.object({ urgent: z.boolean() }),
      output: z.object({ to: z.string() }),
    })
      .route("pick", {
        branches: { human: { description: "person" }, bot: { description: "bot" } },
        rules: [
          {
            name: "urgent",
            when: (state) => (state.input as { urgent: boolean }).urgent,
            branch: "human",
          },
        ],
        decider: null,
        defaultBranch: "bot",
        escalationBranch: "human",
      })
      .step("human", { run: () => ({ output: { to: "human" } }) })
      .step("bot", { run: () => ({ output: { to: "bot" } }) })
      .compile();
    const { runtime } = open([triage, echo]);
    await runtime.start("triage", { urgent: true });
    await runtime.start("triage", { urgent: false });
    await runtime.start("triage", { urgent: true });
    const escalations = await runtime.decisions({
      workflow: "triage",
      kind: "escalation",
      since: new Date(Date.now() - 7 * 86_400_000).toISOString(),
    });
    expect(escalations).toHaveLength(2);
    expect(new Set(escalations.map((decision) => decision.runId)).size).toBe(2);
    expect(await runtime.decisions({ workflow: "echo" })).toEqual([]);
  });

  it("cancels a waiting run and refuses to approve it afterwards", async () => {
    const gated = defineWorkflow({
      name: "gated",
      description: "x",
      version: "1",
      input: z.object({}),
      output: z.object({}),
    })
      .approval("ok", { message: () => "go?", next: "done" })
      .step("done", { run: () => ({ output: {} }) })
      .compile();
    const { runtime } = open([gated]);
    const run = await runtime.start("gated", {});
    expect(run.status).toBe("waiting");
    expect((await runtime.cancel(run.id)).status).toBe("cancelled");
    await expect(runtime.approve(run.id)).rejects.toThrow(/is cancelled, not waiting/);
    await expect(runtime.cancel(run.id)).rejects.toThrow(/only unfinished runs/);
  });
});
