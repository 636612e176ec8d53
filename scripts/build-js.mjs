// Compiles src/ into dist/ as a few bundled ES modules: one per public entry (the package,
// ./testing, ./postgres, ./server and the CLI) and shared chunks, so a cold `signalbox run`
// loads a handful of files instead of ~140, and the entries share one copy of every class
// (a project's config imports `signalbox` and hands the CLI its workflows: `instanceof` holds).
// Packages stay external; lazy `import()`s stay lazy (their own chunks). tsc emits the .d.ts.
import { rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const ENTRIES = ["index.ts", "testing/index.ts", "postgres.ts", "server.ts", "cli/bin.ts"];

rmSync(join(root, "dist", "chunks"), { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: ENTRIES.map((entry) => join("src", entry)),
  outdir: "dist",
  outbase: "src",
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  sourcemap: true,
  keepNames: true,
  logLevel: "warning",
  metafile: true,
});
// Which sources went into which output file: the start-up tests read it to check what a
// command loaded (test/cli/startup-imports.test.ts). Not shipped.
writeFileSync(join(root, "dist", "build-meta.json"), JSON.stringify(result.metafile));
