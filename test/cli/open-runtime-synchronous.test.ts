import { afterEach, describe, expect, it } from "vitest";
import { openRuntime } from "../../src/cli/open-runtime.ts";
import { EVAL_SQLITE_SYNCHRONOUS } from "../../src/eval/run-eval.ts";
import { SqliteRunStore } from "../../src/store/sqlite-store.ts";
import { tempHome } from "../support/runtime.ts";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** The commit durability of the SQLite store a CLI runtime opened with these flags and variables. */
async function synchronousOf(
  flags: { sqliteSynchronous?: "FULL" | "NORMAL" },
  environment: NodeJS.ProcessEnv,
) {
  const { home, cleanup } = tempHome("signalbox-sync-");
  cleanups.push(cleanup);
  const runtime = await openRuntime({ home, ...flags }, environment);
  try {
    expect(runtime.store).toBeInstanceOf(SqliteRunStore);
    return (runtime.store as SqliteRunStore).synchronous;
  } finally {
    await runtime.close();
  }
}

describe("SQLite commit durability of CLI runtimes", () => {
  it("is FULL by default, the command's choice when it makes one (eval: NORMAL), and SIGNALBOX_SQLITE_SYNCHRONOUS over both", async () => {
    expect(EVAL_SQLITE_SYNCHRONOUS).toBe("NORMAL");
    expect(await synchronousOf({}, {})).toBe("FULL");
    expect(await synchronousOf({ sqliteSynchronous: EVAL_SQLITE_SYNCHRONOUS }, {})).toBe("NORMAL");
    expect(
      await synchronousOf(
        { sqliteSynchronous: EVAL_SQLITE_SYNCHRONOUS },
        { SIGNALBOX_SQLITE_SYNCHRONOUS: "FULL" },
      ),
    ).toBe("FULL");
    expect(await synchronousOf({}, { SIGNALBOX_SQLITE_SYNCHRONOUS: "NORMAL" })).toBe("NORMAL");
  });
});
