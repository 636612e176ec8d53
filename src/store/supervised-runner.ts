import type { Runner } from "graphile-worker";
import type { Logger } from "pino";

/** graphile-worker's exit code for "a newer Worker migrated the database; do not restart". */
const MIGRATED_EXIT_CODE = 57;

/**
 * Runs a graphile-worker runner and starts it again whenever it stops without being
 * asked to. graphile-worker stops every runner of a database when any schema in it
 * announces a breaking migration, and installing a fresh schema is one: its
 * `worker:migrate` notification names no schema. Another signalbox deployment (or a
 * test) opening its own schema on the same database would otherwise leave this process
 * alive but deaf to wake-ups, with exit code 57 set. Starting again re-checks our own
 * schema, so a truly incompatible migration still stops consuming (logged as an error).
 * Resolves once the first runner has started; the returned function stops it for good.
 */
export async function superviseRunner(
  start: () => Promise<Runner>,
  logger: Logger,
): Promise<() => Promise<void>> {
  let current = await start();
  let stopping = false;
  let restarting: Promise<void> = Promise.resolve();
  const restart = async (stopped: Runner) => {
    if (stopping || stopped !== current) return;
    logger.warn(
      "graphile-worker stopped on its own (a breaking migration was announced in this database); starting it again",
    );
    try {
      current = await start();
      if (process.exitCode === MIGRATED_EXIT_CODE) process.exitCode = undefined;
      watch(current);
    } catch (error) {
      logger.error(
        { error: String(error) },
        "graphile-worker could not start again; this process takes no more wake-ups",
      );
    }
  };
  const watch = (runner: Runner) => {
    const stopped = () => {
      restarting = restart(runner);
    };
    runner.promise.then(stopped, stopped);
  };
  watch(current);
  return async () => {
    stopping = true;
    await restarting;
    // Stopping a runner that already stopped on its own rejects; it is stopped either way.
    await current.stop().catch((error: unknown) => {
      if (!String(error).includes("already stopped")) throw error;
    });
  };
}
