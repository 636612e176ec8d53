/**
 * Vitest global setup: tests that start the real CLI run bin/signalbox.js, which
 * loads the compiled dist/. Rebuild it first when a source file is newer, so a
 * test never runs yesterday's build (a fresh clone builds it in `npm install`).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

/** True when dist/ (or its dashboard, dist/ui) is missing or older than src/, ui/, the build scripts or settings. */
export function distIsStale(): boolean {
  const built = join(ROOT, "dist/cli/bin.js");
  const outputs = ["dist/ui/app.js", "dist/build-meta.json"];
  if (!existsSync(built) || outputs.some((output) => !existsSync(join(ROOT, output)))) return true;
  const sources = Math.max(
    newest(join(ROOT, "src")),
    newest(join(ROOT, "ui")),
    newest(join(ROOT, "tsconfig.json")),
    newest(join(ROOT, "tsconfig.build.json")),
    newest(join(ROOT, "scripts")),
  );
  return sources > statSync(built).mtimeMs;
}

export default function setup(): void {
  if (!distIsStale()) return;
  execFileSync("npm", ["run", "--silent", "build"], { cwd: ROOT, stdio: "inherit" });
}
