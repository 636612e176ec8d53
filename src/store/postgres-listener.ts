import pg from "pg";
import type { Logger } from "pino";

/** Options for {@link listenForRunIds}. */
export interface RunIdListenerOptions {
  /** How to connect; the listener holds one connection of its own, outside any pool. */
  readonly connection: pg.ClientConfig;
  readonly channel: string;
  readonly logger: Logger;
  /** Called with the run id of every notification on `channel`. */
  readonly onRunId: (runId: string) => void;
  /** Delay before reconnecting after the connection dropped (default 1000 ms). */
  readonly reconnectMs?: number;
}

/**
 * LISTENs on `channel` with a dedicated connection and reconnects when it drops.
 * Notifications sent while disconnected are lost: followers should read
 * `listEvents` after the last seq they saw whenever they are woken, not count wakes.
 * Resolves once listening; the returned function stops it and closes the connection.
 */
export async function listenForRunIds(options: RunIdListenerOptions): Promise<() => Promise<void>> {
  let stopped = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  const reconnect = () => {
    if (stopped || retry !== undefined) return;
    retry = setTimeout(() => {
      retry = undefined;
      connect().catch((error: unknown) => {
        options.logger.warn({ error, channel: options.channel }, "event listener reconnect failed");
        reconnect();
      });
    }, options.reconnectMs ?? 1000);
    retry.unref();
  };
  const connect = async () => {
    const next = await openListener(options, reconnect);
    if (stopped) await next.end();
    else client = next;
  };
  await connect();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    const current = client;
    client = undefined;
    await current?.end().catch(() => undefined);
  };
}

async function openListener(options: RunIdListenerOptions, onLost: () => void): Promise<pg.Client> {
  const client = new pg.Client(options.connection);
  let lost = false;
  const lose = (error?: Error) => {
    if (lost) return;
    lost = true;
    if (error) options.logger.warn({ error, channel: options.channel }, "event listener lost");
    client.end().catch(() => undefined);
    onLost();
  };
  client.on("error", lose);
  client.on("notification", (message) => {
    if (message.channel !== options.channel || !message.payload) return;
    try {
      options.onRunId(message.payload);
    } catch (error) {
      options.logger.warn({ error, runId: message.payload }, "event listener callback threw");
    }
  });
  await client.connect();
  try {
    await client.query(`LISTEN ${pg.escapeIdentifier(options.channel)}`);
  } catch (error) {
    lost = true;
    await client.end().catch(() => undefined);
    throw error;
  }
  client.on("end", () => lose());
  return client;
}
