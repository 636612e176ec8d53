import { randomUUID } from "node:crypto";
import { mkdir, readdir, rename } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { type FSWatcher, watch } from "chokidar";
import type { Logger } from "pino";
import { errorMessage } from "../errors.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { FINAL_STATUSES, type RunRecord } from "../store/types.ts";
import type { FileArrival, FileTrigger } from "./trigger-config.ts";

/** The subfolders of a watched folder: claimed files, and where they end up. */
export const FILE_FOLDERS = { processing: "processing", done: "done", failed: "failed" } as const;
/** Between the claim's unique prefix and the original name, in `processing/`, `done/`, `failed/`. */
const SEPARATOR = "--";

/** Options for {@link FileWatcher}. */
export interface FileWatcherOptions {
  /** Where a relative `folder` starts (the config's directory). */
  readonly directory: string;
  readonly logger?: Logger;
  /** How often `processing/` is swept for files whose run ended elsewhere or never started (ms). Default 2000. */
  readonly sweepMs?: number;
}

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === "ENOENT";

/** The original name of a claimed file (`<time>-<random>--<name>`). */
function originalName(claimed: string): string {
  const at = claimed.indexOf(SEPARATOR);
  return at < 0 ? claimed : claimed.slice(at + SEPARATOR.length);
}

/**
 * Watches one folder: each file that appears (or is there at start-up) is claimed by
 * renaming it into `processing/` under a unique name (a rename is atomic: of two
 * processes only one succeeds, the other finds the file gone), starts one run keyed
 * by that name, and moves to `done/` or `failed/` when the run ends. A sweep of
 * `processing/` finishes what a stopped process left: it starts the run of a file
 * claimed but never started (the key makes that once) and moves files whose run ended.
 */
export class FileWatcher {
  readonly folder: string;
  private watcher: FSWatcher | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<string>();
  private readonly pending = new Set<Promise<void>>();
  private readonly logger: Logger;

  constructor(
    private readonly runtime: Runtime,
    private readonly trigger: FileTrigger,
    private readonly options: FileWatcherOptions,
  ) {
    this.folder = resolve(options.directory, trigger.folder);
    this.logger = options.logger ?? runtime.logger;
    runtime.workflow(trigger.workflow);
  }

  private sub(name: keyof typeof FILE_FOLDERS): string {
    return join(this.folder, FILE_FOLDERS[name]);
  }

  /** Creates the folders, sweeps, and watches (files already there count as arrivals). */
  async start(): Promise<void> {
    for (const name of ["processing", "done", "failed"] as const)
      await mkdir(this.sub(name), { recursive: true });
    await this.sweep();
    const watcher = watch(this.folder, {
      depth: 0,
      ignoreInitial: false,
      awaitWriteFinish: { stabilityThreshold: 100, pollInterval: 25 },
      ignored: (path, stats) =>
        basename(path).startsWith(".") || (stats?.isDirectory() === true && path !== this.folder),
    });
    this.watcher = watcher;
    watcher.on("add", (path) => {
      if (dirname(path) === this.folder) this.track(this.arrive(path));
    });
    watcher.on("error", (error) => this.logger.warn({ error: String(error) }, "watching failed"));
    await new Promise<void>((ready) => watcher.once("ready", () => ready()));
    this.sweeper = setInterval(() => this.track(this.sweep()), this.options.sweepMs ?? 2000);
  }

  /** Stops watching and waits for the files this process is handling to be moved. */
  async stop(): Promise<void> {
    clearInterval(this.sweeper);
    await this.watcher?.close();
    await Promise.allSettled([...this.pending]);
  }

  private track(work: Promise<void>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  /** Claims an arrived file; whoever renames it first processes it. */
  private async arrive(path: string): Promise<void> {
    const name = basename(path);
    const claimed = `${Date.now()}-${randomUUID().slice(0, 8)}${SEPARATOR}${name}`;
    try {
      await rename(path, join(this.sub("processing"), claimed));
    } catch (error) {
      if (isMissing(error)) return; // Another process claimed it first.
      throw error;
    }
    this.logger.info({ trigger: this.trigger.name, file: name, claimed }, "file claimed");
    await this.process(claimed);
  }

  /** Starts (or finds) the run of a claimed file, waits for it, and files it away. */
  private async process(claimed: string): Promise<void> {
    if (this.inFlight.has(claimed)) return;
    this.inFlight.add(claimed);
    try {
      const run = await this.startRun(claimed);
      if (run === "refused") return await this.fileAway(claimed, "failed");
      const settled = await this.runtime.wait(run.id);
      if (FINAL_STATUSES.includes(settled.status))
        await this.fileAway(claimed, settled.status === "succeeded" ? "done" : "failed");
    } catch (error) {
      // Left in processing/: the next sweep (here or elsewhere) starts or files it.
      this.logger.error(
        { trigger: this.trigger.name, claimed, error: errorMessage(error) },
        "file run could not be started or followed; the sweep retries",
      );
    } finally {
      this.inFlight.delete(claimed);
    }
  }

  /**
   * The run keyed by the claimed name (started now, or earlier by anyone), or `refused`
   * when the file's input is refused (the mapping threw, the schema said no). Other
   * errors (a busy store) are thrown: the file stays in `processing/` for the next sweep.
   */
  private async startRun(claimed: string): Promise<RunRecord | "refused"> {
    const file: FileArrival = {
      path: join(this.sub("processing"), claimed),
      name: originalName(claimed),
    };
    let input: unknown;
    try {
      input = this.trigger.input ? this.trigger.input(file) : { path: file.path };
      this.runtime.workflow(this.trigger.workflow).parseInput(input);
    } catch (error) {
      this.logger.warn(
        { trigger: this.trigger.name, file: file.name, error: errorMessage(error) },
        "file refused",
      );
      return "refused";
    }
    const { run } = await this.runtime.startOnce(this.trigger.workflow, input, {
      kind: "file",
      name: this.trigger.name,
      key: claimed,
      details: { file: file.name, path: file.path },
    });
    return run;
  }

  private async fileAway(claimed: string, to: "done" | "failed"): Promise<void> {
    try {
      await rename(join(this.sub("processing"), claimed), join(this.sub(to), claimed));
      this.logger.info({ trigger: this.trigger.name, file: claimed, to }, "file processed");
    } catch (error) {
      if (!isMissing(error)) throw error; // Someone else filed it away.
    }
  }

  /** Handles every file in `processing/` this process is not already handling. */
  private async sweep(): Promise<void> {
    try {
      const names = await readdir(this.sub("processing"));
      await Promise.all(
        names.filter((name) => !this.inFlight.has(name)).map((name) => this.settleLeft(name)),
      );
    } catch (error) {
      this.logger.warn(
        { trigger: this.trigger.name, error: errorMessage(error) },
        "file sweep failed",
      );
    }
  }

  /** A file someone claimed: its run is started if it was not (once), and filed away once ended. */
  private async settleLeft(claimed: string): Promise<void> {
    const run = await this.startRun(claimed);
    if (run === "refused") return this.fileAway(claimed, "failed");
    const now = await this.runtime.store.getRun(run.id);
    if (now !== undefined && FINAL_STATUSES.includes(now.status))
      await this.fileAway(claimed, now.status === "succeeded" ? "done" : "failed");
  }
}
