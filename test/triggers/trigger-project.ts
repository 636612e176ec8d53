import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Child, pollUntil, REPO_ROOT, spawnNode } from "../fixtures/child-process.ts";

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

/**
 * Starts `count` `signalbox worker` processes on `config`, one after the other: two processes
 * creating a fresh SQLite home at the same instant can meet "database is locked" in its first
 * migration. Each is pushed onto `workers` as soon as it is spawned, so the caller's cleanup
 * kills it even when a later one fails to start.
 */
export async function startWorkersInTurn(
  workers: Child[],
  config: string,
  count: number,
): Promise<void> {
  for (let index = 0; index < count; index += 1) {
    const worker = spawnNode([
      "bin/signalbox.js",
      "--config",
      config,
      "--log-level",
      "info",
      "worker",
    ]);
    workers.push(worker);
    await pollUntil(
      "the worker to start",
      () => (/signalbox worker/.test(worker.stdout()) ? true : undefined),
      { child: worker },
    );
  }
}
