import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../fixtures/child-process.ts";
import { EXPORT_MAP_KEYS, PUBLIC_ENTRIES } from "../support/public-api.ts";

// The built package (dist/, rebuilt by the test setup when src is newer), entry by entry:
// removing or renaming an export fails here, as it would fail a user's import.
const manifest = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
  exports: Record<string, string | { types: string; import: string }>;
};

describe("the built package's exports", () => {
  it("has exactly these entries in its exports map, each with types and import", () => {
    expect(Object.keys(manifest.exports).sort()).toEqual([...EXPORT_MAP_KEYS].sort());
    for (const entry of Object.keys(PUBLIC_ENTRIES)) {
      const target = manifest.exports[entry];
      expect(target, entry).toMatchObject({
        types: expect.stringMatching(/^\.\/dist\/.*\.d\.ts$/),
      });
      expect(target, entry).toMatchObject({ import: expect.stringMatching(/^\.\/dist\/.*\.js$/) });
    }
  });

  for (const [entry, names] of Object.entries(PUBLIC_ENTRIES))
    it(`"${entry}" exports exactly its pinned names`, async () => {
      const target = manifest.exports[entry] as { import: string };
      const module = (await import(pathToFileURL(join(REPO_ROOT, target.import)).href)) as object;
      expect(Object.keys(module).sort()).toEqual([...names].sort());
    });
});
