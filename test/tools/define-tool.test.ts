import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { ErrorCode, isSignalboxError } from "../../src/errors.ts";
import { executeTool } from "../../src/graph/execute-tool.ts";
import { detachedContext } from "../../src/graph/run-context.ts";
import { defineTool } from "../../src/tools/define-tool.ts";
import { ToolRegistry } from "../../src/tools/tool-registry.ts";
import { splitRationale } from "../../src/tools/tool-schema.ts";

const lookupOrder = defineTool({
  name: "lookup_order",
  description: "Finds an order by its id and returns its shipping status",
  input: z.object({ orderId: z.string().min(1) }),
  output: z.object({ orderId: z.string(), status: z.enum(["shipped", "pending"]) }),
  effect: "read",
  run: async ({ orderId }) => ({ orderId, status: "shipped" as const }),
});

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

afterEach(() => {
  vi.useRealTimers();
});

describe("defineTool", () => {
  it("sends the model the input schema plus a required rationale", () => {
    expect(lookupOrder.parameters).toMatchObject({
      type: "object",
      properties: {
        orderId: { type: "string", minLength: 1 },
        rationale: { type: "string" },
      },
      required: ["orderId", "rationale"],
    });
    expect(lookupOrder.parameters).not.toHaveProperty("$schema");
    expect(splitRationale({ orderId: "7", rationale: " why not " })).toEqual({
      rationale: "why not",
      args: { orderId: "7" },
    });
  });

  it("rejects definitions a model could not use, saying how to fix each", () => {
    const error = thrown(() =>
      defineTool({
        name: "final_answer",
        description: " ",
        input: z.object({ rationale: z.string() }),
        effect: "pure",
        rateLimit: { perMinute: 0 },
        run: () => null,
      }),
    );
    expect(isSignalboxError(error, ErrorCode.WorkflowInvalid)).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain('"final_answer" is reserved');
    expect(message).toContain("give it a description");
    expect(message).toContain('must not have a "rationale" field');
    expect(message).toContain("rateLimit.perMinute");
    const notObject = thrown(() =>
      defineTool({
        name: "bad name!",
        description: "x",
        input: z.string() as never,
        effect: "pure",
        run: () => null,
      }),
    );
    expect((notObject as Error).message).toContain("input must be a zod object schema");
    expect((notObject as Error).message).toContain("1-64 letters");
  });

  it("decides approval from a flag or from the input", () => {
    const refund = defineTool({
      name: "refund",
      description: "Refunds an amount",
      input: z.object({ amount: z.number() }),
      effect: "write",
      requiresApproval: ({ amount }) => amount > 100,
      run: () => ({ ok: true }),
    });
    expect(refund.needsApproval({ amount: 50 })).toBe(false);
    expect(refund.needsApproval({ amount: 500 })).toBe(true);
    expect(lookupOrder.needsApproval({ orderId: "1" })).toBe(false);
  });
});

describe("ToolRegistry", () => {
  it("finds tools by name and lists the available ones when it cannot", () => {
    const registry = new ToolRegistry([lookupOrder]);
    expect(registry.get("lookup_order")).toBe(lookupOrder);
    const error = thrown(() => registry.get("lookup_ordr"));
    expect(isSignalboxError(error, ErrorCode.WorkflowInvalid)).toBe(true);
    expect((error as Error).message).toBe(
      'no tool named "lookup_ordr"; registered tools: lookup_order',
    );
    expect(() => registry.register(lookupOrder)).toThrow(/already registered/);
  });
});

describe("executeTool", () => {
  const base = { node: "agent", key: "k1", toolCallId: "c1", signal: undefined };

  it("returns results, and turns throws and invalid outputs into failed results", async () => {
    const context = detachedContext("run-1");
    const ok = await executeTool({ ...base, tool: lookupOrder, input: { orderId: "9" }, context });
    expect(ok).toMatchObject({ status: "succeeded", result: { orderId: "9", status: "shipped" } });
    const liar = defineTool({
      name: "liar",
      description: "Returns the wrong shape",
      input: z.object({}),
      output: z.object({ count: z.number() }),
      effect: "pure",
      run: async () => ({ count: "many" }) as never,
    });
    const invalid = await executeTool({ ...base, tool: liar, input: {}, context });
    expect(invalid).toMatchObject({ status: "failed" });
    expect(invalid.status === "failed" && invalid.error).toContain("does not match its output");
    const broken = defineTool({
      name: "broken",
      description: "Always fails",
      input: z.object({}),
      effect: "read",
      run: async () => {
        throw new Error("service down");
      },
    });
    const failed = await executeTool({ ...base, tool: broken, input: {}, context });
    expect(failed).toMatchObject({ status: "failed", error: "service down" });
  });

  it("plans write tools in a dry run without calling them", async () => {
    const performed: unknown[] = [];
    const send = defineTool({
      name: "send",
      description: "Sends a message",
      input: z.object({ to: z.string() }),
      effect: "write",
      run: async (input) => void performed.push(input),
    });
    const context = detachedContext("run-2", true);
    const planned = await executeTool({ ...base, tool: send, input: { to: "a" }, context });
    expect(planned.status).toBe("planned");
    expect(performed).toEqual([]);
  });

  it("keeps calls within the tool's rate limit by waiting", async () => {
    vi.useFakeTimers();
    const calls: number[] = [];
    const ping = defineTool({
      name: "ping",
      description: "Pings",
      input: z.object({}),
      effect: "read",
      rateLimit: { perMinute: 1 },
      run: async () => void calls.push(Date.now()),
    });
    const context = detachedContext("run-3");
    await executeTool({ ...base, tool: ping, input: {}, context });
    const second = executeTool({ ...base, tool: ping, input: {}, context });
    await vi.advanceTimersByTimeAsync(30_000);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(30_000);
    await second;
    expect(calls).toHaveLength(2);
    expect((calls[1] as number) - (calls[0] as number)).toBeGreaterThanOrEqual(60_000);
  });
});
