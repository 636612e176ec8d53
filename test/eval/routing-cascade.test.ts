import { expect, it } from "vitest";
import {
  banking77Missing,
  banking77Directory as dataDirectory,
} from "../../bench/banking77-data.ts";
import { cascadeTable, measureCascade } from "../../bench/routing-cascade.ts";
import { describeRequired } from "../support/required.ts";

const LIMIT = 77;

describeRequired(
  `the cascade with an LLM tier on recorded replies (Banking77, ${LIMIT} cases)`,
  banking77Missing(),
  () => {
    // Recording once lost a whole configuration under vitest (154 replay misses): the stand-in
    // server dropped idle keep-alive sockets the client was reusing after a long synchronous
    // pause; test/testing/openai-server.test.ts "idle connections" pins the fix.
    it("replays every reply, counts the LLM calls the classifier avoided, and compares on the same cases", async () => {
      const result = await measureCascade({ dataDirectory, limit: LIMIT });
      expect(result.replayMisses).toBe(0);
      const [offline, cascade, llmOnly] = result.rows;
      expect(result.rows.map((row) => row.config)).toEqual(["offline", "cascade", "llm-only"]);
      for (const row of result.rows) expect(row.cases).toBe(LIMIT);
      expect(offline).toMatchObject({ llmCalls: 0, tokensIn: 0 });
      expect(llmOnly).toMatchObject({ llmCalls: LIMIT, llmAvoided: 0 });
      // Every case is decided by the classifier alone or by one LLM call, never both.
      expect((cascade?.llmCalls ?? 0) + (cascade?.llmAvoided ?? 0)).toBe(LIMIT);
      expect(cascade?.llmAvoided).toBeGreaterThan(LIMIT / 2);
      expect(cascade?.tokensIn).toBe(900 * (cascade?.llmCalls ?? 0));
      // The stand-in answers the true intent, so the LLM turns the classifier's escalations
      // into right answers and LLM-only is the upper bound.
      expect(cascade?.accuracy).toBeGreaterThan(offline?.accuracy ?? 1);
      expect(llmOnly?.accuracy).toBe(1);
      expect(cascade?.accuracy).toBeLessThanOrEqual(1);
      expect(cascadeTable(result).split("\n")).toHaveLength(5);
    }, 600_000);
  },
);
