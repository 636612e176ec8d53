import { describe, expect, it } from "vitest";
import {
  describeSeen,
  SEEN_LIMIT_BYTES,
  type SeenParts,
  TRUNCATED_MARKER,
} from "../../src/contracts/decision-seen.ts";

const parts = (text: string): SeenParts => ({
  text,
  branches: ["refund", "other"],
  defaultBranch: "other",
  escalationBranch: null,
  minConfidence: null,
  threshold: 0.8,
  decider: { kind: "offline-classifier", version: "lexical:0" },
  rule: null,
  proposed: null,
});

describe("describeSeen", () => {
  it("keeps a short text whole", () => {
    const seen = describeSeen(parts("where is my refund"));
    expect(seen).toMatchObject({ text: "where is my refund", truncated: false, textBytes: 18 });
  });

  it("keeps whole every text whose JSON fits, and cuts the first one that does not", () => {
    // A control character takes 6 bytes in JSON: the size where the JSON reaches the limit
    // is found by measuring, and must decide, whatever shortcut describeSeen takes.
    const bytesOf = (count: number) =>
      Buffer.byteLength(
        JSON.stringify({ ...parts("\u0001".repeat(count)), textBytes: count, truncated: false }),
      );
    let fits = 0;
    while (bytesOf(fits + 1) <= SEEN_LIMIT_BYTES) fits += 1;
    for (const count of [fits - 100, fits - 1, fits]) {
      expect(describeSeen(parts("\u0001".repeat(count)))).toMatchObject({ truncated: false });
    }
    expect(describeSeen(parts("\u0001".repeat(fits + 1))).truncated).toBe(true);
  });

  it.each([
    ["ascii", "a".repeat(10_000)],
    ["multi-byte", "€".repeat(4000)],
    ["escaped", '"\\\n'.repeat(3000)],
  ])("cuts a long %s text to the longest prefix that fits, with the marker", (_name, text) => {
    const seen = describeSeen(parts(text));
    const bytes = Buffer.byteLength(JSON.stringify(seen));
    expect(bytes).toBeLessThanOrEqual(SEEN_LIMIT_BYTES);
    expect(seen.truncated).toBe(true);
    expect(seen.text.endsWith(TRUNCATED_MARKER)).toBe(true);
    expect(text.startsWith(seen.text.slice(0, -TRUNCATED_MARKER.length))).toBe(true);
    expect(seen.textBytes).toBe(Buffer.byteLength(text));
    // One more character would not fit.
    const longer = {
      ...seen,
      text: `${text.slice(0, seen.text.length - TRUNCATED_MARKER.length + 1)}${TRUNCATED_MARKER}`,
    };
    expect(Buffer.byteLength(JSON.stringify(longer))).toBeGreaterThan(SEEN_LIMIT_BYTES);
  });
});
