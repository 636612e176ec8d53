import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqliteRunStore } from "../../src/store/sqlite-store.ts";
import { type Child, pollUntil, runCli } from "../fixtures/child-process.ts";
import { tempHome } from "../support/runtime.ts";
import { startWorkersInTurn, triggerProject } from "./trigger-project.ts";

const INGEST_CONFIG = `
import { appendFileSync, readFileSync } from "node:fs";

const ledger = new URL("./ledger.txt", import.meta.url);
const ingest = defineWorkflow({
  name: "ingest", description: "reads a dropped file and records it", version: "1",
  input: z.object({ path: z.string(), name: z.string() }), output: z.object({ bytes: z.number() }),
})
  .step("read", {
    run: async (state) => {
      const text = readFileSync(state.input.path, "utf8");
      if (text.startsWith("corrupt")) throw new Error("the file is corrupt");
      appendFileSync(ledger, state.input.name + "\\n");
      return { output: { bytes: text.length } };
    },
  })
  .compile();

export default defineConfig({
  workflows: [ingest],
  triggers: {
    files: [{ name: "inbox", workflow: "ingest", folder: "./inbox", input: (file) => ({ path: file.path, name: file.name }) }],
  },
});`;

describe("file trigger across processes", () => {
  let root: string;
  let cleanup: () => void;
  let workers: Child[] = [];

  beforeAll(() => {
    ({ home: root, cleanup } = tempHome("signalbox-files-"));
    triggerProject(root, INGEST_CONFIG);
  });

  afterAll(async () => {
    for (const worker of workers) worker.process.kill("SIGKILL");
    await Promise.all(workers.map((worker) => worker.exited));
    cleanup();
  });

  it("two processes, twenty files: each processed once, the corrupt one in failed/", async () => {
    const inbox = join(root, "inbox");
    const drop = (index: number) =>
      writeFileSync(join(inbox, `file-${String(index).padStart(2, "0")}.txt`), `content ${index}`);
    mkdirSync(inbox, { recursive: true });
    // Ten are there before any process starts; ten more and a corrupt one arrive while they watch.
    for (let index = 0; index < 10; index += 1) drop(index);
    const config = join(root, "signalbox.config.mjs");
    workers = [];
    await startWorkersInTurn(workers, config, 2);
    for (let index = 10; index < 20; index += 1) drop(index);
    writeFileSync(join(inbox, "broken.txt"), "corrupt bytes");
    const filed = () =>
      readdirSync(join(inbox, "done")).length + readdirSync(join(inbox, "failed")).length;
    await pollUntil("21 files filed away", () => (filed() === 21 ? true : undefined), {
      timeoutMs: 90_000,
    });
    for (const worker of workers) worker.process.kill("SIGTERM");
    const exits = await Promise.all(workers.map((worker) => worker.exited));
    expect(exits.map((exit) => exit.code)).toEqual([0, 0]);

    const names = (folder: string) =>
      readdirSync(join(inbox, folder))
        .map((name) => name.split("--")[1])
        .sort();
    const expected = Array.from(
      { length: 20 },
      (_, index) => `file-${String(index).padStart(2, "0")}.txt`,
    );
    expect(names("done")).toEqual(expected);
    expect(names("failed")).toEqual(["broken.txt"]);
    expect(readdirSync(join(inbox, "processing"))).toEqual([]);
    expect(readdirSync(inbox).filter((name) => name.endsWith(".txt"))).toEqual([]);
    // Each file was processed exactly once: one ledger line and one run per file.
    const ledger = readFileSync(join(root, "ledger.txt"), "utf8").trim().split("\n").sort();
    expect(ledger).toEqual(expected);
    const store = new SqliteRunStore(join(root, ".signalbox", "signalbox.db"));
    try {
      const runs = await store.listRuns({ workflow: "ingest", limit: 1000 });
      expect(runs).toHaveLength(21);
      const starts = await Promise.all(runs.map((run) => store.getTriggerStart(run.id)));
      const files = starts
        .map((start) => (start?.details as { file?: string } | undefined)?.file)
        .sort();
      expect(files).toEqual([...expected, "broken.txt"].sort());
      const broken = runs.find((run) => (run.input as { name: string }).name === "broken.txt");
      expect(broken?.status).toBe("failed");
      expect(broken?.error).toContain("the file is corrupt");
      // The run got the path of the claimed file.
      expect((broken?.input as { path?: string } | undefined)?.path).toMatch(
        /inbox\/processing\/\d+-[0-9a-f]{8}--broken\.txt$/,
      );
      const shown = await runCli([
        "--config",
        join(root, "signalbox.config.mjs"),
        "show",
        broken?.id ?? "",
      ]);
      expect(shown.stdout).toMatch(/started by file inbox \(file \d+-[0-9a-f]{8}--broken\.txt\)/);
    } finally {
      await store.close();
    }
    expect(existsSync(join(inbox, "processing"))).toBe(true);
  }, 120_000);
});
