import type { Logger } from "pino";
import type { Runtime } from "../runtime/runtime.ts";
import { FileWatcher } from "./file-trigger.ts";
import { ScheduleRunner } from "./schedules.ts";
import type { TriggersConfig } from "./trigger-config.ts";

/** Options for {@link startTriggers}. */
export interface StartTriggersOptions {
  /** Where relative watched folders start (the config file's directory). */
  readonly directory: string;
  readonly logger?: Logger;
}

/**
 * Starts the triggers a long-lived process runs itself: the schedules and the watched
 * folders (webhooks are served by the HTTP server). Safe in any number of processes
 * at once: each fire time and each file starts one run. Returns how to stop them.
 * @throws SignalboxError CONFIG_INVALID for a bad cron expression or an unknown workflow
 */
export async function startTriggers(
  runtime: Runtime,
  triggers: TriggersConfig,
  options: StartTriggersOptions,
): Promise<() => Promise<void>> {
  const logger = options.logger ?? runtime.logger;
  const schedules = new ScheduleRunner(runtime, triggers.schedules ?? [], logger);
  const watchers = (triggers.files ?? []).map(
    (trigger) => new FileWatcher(runtime, trigger, { directory: options.directory, logger }),
  );
  await schedules.start();
  for (const watcher of watchers) await watcher.start();
  return async () => {
    schedules.stop();
    await Promise.all(watchers.map((watcher) => watcher.stop()));
  };
}
