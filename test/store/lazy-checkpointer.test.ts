import { MemorySaver } from "@langchain/langgraph-checkpoint";
import { describe, expect, it } from "vitest";
import { LazyCheckpointer } from "../../src/store/lazy-checkpointer.ts";

describe("LazyCheckpointer", () => {
  it("tries the load again after a failed one instead of failing every later call", async () => {
    let loads = 0;
    const lazy = new LazyCheckpointer(async () => {
      loads += 1;
      if (loads === 1) throw new Error("database is locked");
      return new MemorySaver();
    });
    const config = { configurable: { thread_id: "r1", checkpoint_ns: "" } };
    await expect(lazy.getTuple(config)).rejects.toThrow("database is locked");
    expect(await lazy.getTuple(config)).toBeUndefined();
    expect(await lazy.getTuple(config)).toBeUndefined();
    expect(loads).toBe(2);
  });
});
