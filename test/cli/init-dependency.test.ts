import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../fixtures/child-process.ts";
import { runCliCaptured } from "../support/cli.ts";
import { tempHome } from "../support/runtime.ts";

// Issue 10: the scaffold's signalbox dependency must install while signalbox is not on
// the npm registry: by default it is `file:` the package that ran init.
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function scaffoldedManifest(...flags: string[]) {
  const { home, cleanup } = tempHome("signalbox-init-");
  cleanups.push(cleanup);
  return runCliCaptured(["init", join(home, "project"), ...flags]).then((result) => {
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(readFileSync(join(home, "project", "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
  });
}

describe("signalbox init's dependency on signalbox", () => {
  it("defaults to file: the signalbox package that ran it, which holds its package.json", async () => {
    const { dependencies } = await scaffoldedManifest();
    const spec = dependencies.signalbox ?? "";
    expect(spec).toMatch(/^file:\//);
    const directory = spec.slice("file:".length);
    expect(directory).toBe(REPO_ROOT.replace(/[\\/]+$/, ""));
    const manifest = JSON.parse(readFileSync(join(directory, "package.json"), "utf8")) as {
      name: string;
    };
    expect(manifest.name).toBe("signalbox");
    expect(existsSync(join(directory, "dist", "index.js"))).toBe(true);
  });

  it("takes --signalbox as given (a tarball, a range)", async () => {
    const { dependencies } = await scaffoldedManifest("--signalbox", "file:../signalbox-0.1.0.tgz");
    expect(dependencies.signalbox).toBe("file:../signalbox-0.1.0.tgz");
  });
});
