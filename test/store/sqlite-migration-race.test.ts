import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SQLITE_MIGRATIONS } from "../../src/store/sqlite-schema.ts";
import { type Child, pollUntil, spawnTs } from "../fixtures/child-process.ts";
import { tempHome } from "../support/runtime.ts";

const { home, cleanup } = tempHome("signalbox-migration-race-");
afterAll(() => cleanup());

/**
 * `signalbox serve` and `signalbox worker` started together on a fresh home both create and
 * migrate its database: each migration must apply once, whoever gets there first.
 */
describe("SQLite migrations across processes", () => {
  it("six processes opening one fresh database at once all open it, migrated once", async () => {
    for (let round = 0; round < 3; round += 1) {
      const file = join(home, `race-${round}.db`);
      const barrier = join(home, `go-${round}`);
      const children: Child[] = Array.from({ length: 6 }, () =>
        spawnTs("test/fixtures/open-sqlite-store.ts", [file, barrier]),
      );
      for (const child of children)
        await pollUntil(
          "the child to load",
          () => (child.stdout().includes("ready") ? true : undefined),
          {
            child,
          },
        );
      writeFileSync(barrier, "");
      const exits = await Promise.all(children.map((child) => child.exited));
      const lines = exits.map((exit) => exit.stdout.trim().split("\n").at(-1));
      expect(lines).toEqual(Array(6).fill(`opened ${SQLITE_MIGRATIONS.length}`));
    }
  }, 120_000);
});
