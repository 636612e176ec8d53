import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ErrorCode, isSignalboxError } from "../../src/errors.ts";
import { type CompiledWorkflow, defineWorkflow } from "../../src/graph/workflow.ts";
import { WorkflowRegistry } from "../../src/runtime/registry.ts";
import { builtinWorkflowFactories } from "../../src/workflows/index.ts";
import { tempHome } from "../support/runtime.ts";

function echo(name: string, version = "1") {
  return defineWorkflow({
    name,
    description: `${name}: echoes`,
    version,
    input: z.object({ text: z.string() }),
    output: z.object({ text: z.string() }),
  })
    .step("echo", { run: (state) => ({ output: { text: state.input.text } }) })
    .compile() as CompiledWorkflow;
}

/** A factory that counts how often it compiled. */
function counted(name: string, version = "1") {
  const made: string[] = [];
  return {
    made,
    create: () => {
      made.push(name);
      return echo(name, version);
    },
  };
}

describe("WorkflowRegistry.registerLazy (issue 10: compile only the workflows a command uses)", () => {
  it("names the lazy workflows without compiling them, and compiles one, once, when it is looked up", () => {
    const a = counted("alpha");
    const b = counted("beta");
    const registry = new WorkflowRegistry([echo("first")])
      .registerLazy("alpha", a.create)
      .registerLazy("beta", b.create);
    expect(registry.names()).toEqual(["first", "alpha", "beta"]);
    expect([...a.made, ...b.made]).toEqual([]);

    expect(registry.get("alpha").name).toBe("alpha");
    expect(registry.find("alpha", "1")?.name).toBe("alpha");
    expect(registry.resolve("alpha", "1").name).toBe("alpha");
    expect(registry.versionsOf("alpha")).toEqual(["1"]);
    expect(a.made).toEqual(["alpha"]);
    expect(b.made).toEqual([]);

    // list() needs every workflow: it compiles the rest, in registration order.
    expect(registry.list().map((workflow) => workflow.name)).toEqual(["first", "alpha", "beta"]);
    expect([...a.made, ...b.made]).toEqual(["alpha", "beta"]);
  });

  it("refuses a name registered twice, and a factory that compiles another name", () => {
    const registry = new WorkflowRegistry([echo("first")]).registerLazy("alpha", () =>
      echo("alpha"),
    );
    for (const register of [
      () => registry.registerLazy("first", () => echo("first")),
      () => registry.registerLazy("alpha", () => echo("alpha")),
    ]) {
      let error: unknown;
      try {
        register();
      } catch (caught) {
        error = caught;
      }
      expect(isSignalboxError(error, ErrorCode.WorkflowInvalid)).toBe(true);
      expect(String(error)).toMatch(/already registered/);
    }

    const wrong = new WorkflowRegistry().registerLazy("gamma", () => echo("delta"));
    expect(() => wrong.get("gamma")).toThrow(/registered as "gamma" compiled as "delta"/);
    // Still unknown by other names, and the failure is not remembered as a success.
    expect(() => wrong.get("delta")).toThrow(/no workflow named "delta"/);
    expect(() => wrong.get("gamma")).toThrow(/compiled as "delta"/);
  });

  it("registers a second version of a lazy workflow after compiling the first", () => {
    const registry = new WorkflowRegistry().registerLazy("alpha", () => echo("alpha", "1"));
    registry.register(echo("alpha", "2"));
    expect(registry.get("alpha").version).toBe("2");
    expect(registry.versionsOf("alpha")).toEqual(["1", "2"]);
    expect(registry.names()).toEqual(["alpha"]);
  });

  it("the built-in factories compile under the names they are registered as; support_triage and draft_reply share one draft_reply", () => {
    const { home, cleanup } = tempHome("signalbox-lazy-registry-");
    try {
      const factories = builtinWorkflowFactories({ home });
      const registry = new WorkflowRegistry();
      for (const { name, create } of factories) registry.registerLazy(name, create);
      expect(registry.names()).toEqual(["support_triage", "draft_reply", "media_intake"]);
      const [triage, draft] = factories;
      expect(triage?.create()).toBe(triage?.create());
      expect(registry.get("draft_reply")).toBe(draft?.create());
      expect(registry.list().map((workflow) => workflow.name)).toEqual(registry.names());
    } finally {
      cleanup();
    }
  });
});
