import pino, { type Logger } from "pino";

export type { Logger };

/**
 * The one structured logger: JSON lines to stderr (stdout stays free for
 * results and protocols). Children add `runId` and `node` to every line.
 */
export function createLogger(level = "info"): Logger {
  return pino({ level, base: { service: "signalbox" } }, pino.destination({ fd: 2, sync: true }));
}
