import { describe, expect, it } from "vitest";
import { z } from "zod";
import { isSignalboxError } from "../../src/errors.ts";
import { defineWorkflow } from "../../src/graph/workflow.ts";

const base = () =>
  defineWorkflow({
    name: "checks",
    description: "compile checks",
    version: "1",
    input: z.object({ text: z.string() }),
    output: z.object({ done: z.boolean() }),
  });

const done = () => ({ output: { done: true } });

function compileError(build: () => unknown): string {
  try {
    build();
  } catch (error) {
    expect(isSignalboxError(error, "WORKFLOW_INVALID")).toBe(true);
    return (error as Error).message;
  }
  throw new Error("expected compile() to throw");
}

describe("compile()", () => {
  it("compiles a valid graph", () => {
    const workflow = base().step("a", { run: done }).compile();
    expect(workflow.name).toBe("checks");
    expect(workflow.start).toBe("a");
  });

  it("rejects an unknown target and suggests the close name", () => {
    const message = compileError(() =>
      base().step("a", { run: done, next: "finsh" }).step("finish", { run: done }).compile(),
    );
    expect(message).toContain('node "a" next leads to "finsh", which is not a node');
    expect(message).toContain('Did you mean "finish"?');
  });

  it("rejects unreachable nodes and says how to fix it", () => {
    const message = compileError(() =>
      base().step("a", { run: done }).step("orphan", { run: done }).compile(),
    );
    expect(message).toContain('node "orphan" is unreachable from the start node "a"');
    expect(message).toContain("remove it");
  });

  it("rejects duplicate names", () => {
    const message = compileError(() =>
      base().step("a", { run: done }).step("a", { run: done }).compile(),
    );
    expect(message).toContain('node "a" is declared twice');
  });

  it("rejects route defaults, escalations and rules that name undeclared branches", () => {
    const message = compileError(() =>
      base()
        .route("pick", {
          branches: {
            yes: { description: "yes", to: "end" },
            no: { description: "no", to: "end" },
          },
          rules: [{ name: "always", when: () => true, branch: "maybe" }],
          defaultBranch: "nope",
          escalationBranch: "human",
          decider: null,
        })
        .compile(),
    );
    expect(message).toContain('defaultBranch "nope" is not one of its branches (yes, no)');
    expect(message).toContain('escalationBranch "human" is not one of its branches');
    expect(message).toContain('rule "always" leads to branch "maybe"');
  });

  it("rejects a branch leading to a node that does not exist", () => {
    const message = compileError(() =>
      base()
        .route("pick", {
          branches: { yes: { description: "yes" } },
          defaultBranch: "yes",
          decider: null,
        })
        .compile(),
    );
    expect(message).toContain('branch "yes" leads to "yes", which is not a node');
  });

  it("rejects minConfidence without an escalation branch", () => {
    const message = compileError(() =>
      base()
        .route("pick", {
          branches: { yes: { description: "yes", to: "end" } },
          defaultBranch: "yes",
          minConfidence: 0.5,
          decider: () => ({}),
        })
        .compile(),
    );
    expect(message).toContain("sets minConfidence but no escalationBranch");
  });

  it("rejects names that are not valid MCP tool names or node names", () => {
    const message = compileError(() =>
      defineWorkflow({
        name: "has space",
        description: "x",
        version: "1",
        input: z.object({}),
        output: z.object({}),
      })
        .step("bad__name", { run: () => ({}) })
        .compile(),
    );
    expect(message).toContain('workflow name "has space" must be 1-64 letters');
    expect(message).toContain('node name "bad__name" is invalid');
  });

  it("rejects reserved state fields and an empty workflow", () => {
    expect(() =>
      defineWorkflow({
        name: "x",
        description: "x",
        version: "1",
        input: z.object({}),
        output: z.object({}),
        state: { decisions: z.string() },
      })
        .step("a", { run: () => ({}) })
        .compile(),
    ).toThrow(/reserved/);
    expect(compileError(() => base().compile())).toContain("no nodes");
  });

  it("rejects a parallel node with neither branches nor items+run, and an unknown start", () => {
    const message = compileError(() =>
      base()
        .parallel("fan", { join: () => ({}) })
        .start("nowhere")
        .compile(),
    );
    expect(message).toContain('parallel "fan" needs either branches, or items together with run');
    expect(message).toContain('start node "nowhere" is not a node');
  });

  it("enforces the hard step limit on a loop that never ends", async () => {
    const workflow = defineWorkflow({
      name: "loop",
      description: "x",
      version: "1",
      input: z.object({}),
      output: z.object({}),
      maxSteps: 5,
    })
      .route("again", {
        branches: { again: { description: "loop" } },
        defaultBranch: "again",
        decider: null,
      })
      .compile();
    await expect(
      workflow.graph().invoke({ input: {} }, { recursionLimit: workflow.maxSteps }),
    ).rejects.toThrow(/Recursion limit of 5/);
  });
});
