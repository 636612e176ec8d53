import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../fixtures/child-process.ts";

const SIGNALBOX = JSON.stringify(join(REPO_ROOT, "dist/index.js"));

/**
 * A project folder for trigger tests run by the real CLI: `signalbox.config.mjs` with
 * `body` after an import of the built signalbox and zod (from a node_modules link).
 */
export function triggerProject(root: string, body: string): string {
  mkdirSync(root, { recursive: true });
  symlinkSync(join(REPO_ROOT, "node_modules"), join(root, "node_modules"));
  writeFileSync(
    join(root, "signalbox.config.mjs"),
    `import { z } from "zod";\nimport { defineConfig, defineWorkflow } from ${SIGNALBOX};\n${body}\n`,
  );
  return root;
}
