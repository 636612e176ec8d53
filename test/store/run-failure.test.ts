import { describe, expect, it } from "vitest";
import { readRunFailure } from "../../src/store/run-failure.ts";

describe("readRunFailure", () => {
  it("reads a stored failure back, keeping only its fields", () => {
    const stored = JSON.stringify({
      code: "STEP_FAILED",
      message: "boom",
      node: "charge",
      details: { attempt: 3 },
      extra: true,
    });
    expect(readRunFailure(stored)).toEqual({
      code: "STEP_FAILED",
      message: "boom",
      node: "charge",
      details: { attempt: 3 },
    });
    expect(readRunFailure({ code: "CANCELLED", message: "r", node: null, details: {} })).toEqual({
      code: "CANCELLED",
      message: "r",
      node: null,
      details: {},
    });
  });

  it("reads anything else as null rather than failing the listing", () => {
    for (const value of [
      null,
      undefined,
      "",
      "not json",
      "[]",
      JSON.stringify({ code: "X", message: "m", details: {} }),
      JSON.stringify({ code: "X", message: "m", node: 3, details: {} }),
      JSON.stringify({ code: "X", message: "m", node: null, details: [] }),
      JSON.stringify({ code: 1, message: "m", node: null, details: {} }),
    ])
      expect(readRunFailure(value)).toBeNull();
  });
});
