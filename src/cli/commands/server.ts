import { join } from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import { ErrorCode, SignalboxError } from "../../errors.ts";
import {
  type CliIo,
  type HostedRuntime,
  positiveInt,
  type RegisterCommand,
  withRuntime,
} from "../cli-io.ts";

const MIN_TOKEN_LENGTH = 16;

interface ServeOptions {
  readonly host?: string;
  readonly port?: number;
  readonly token?: string;
  readonly allowedHost?: string[];
  /** False with `--no-worker`: an API-only node that leaves execution to `signalbox worker`. */
  readonly worker: boolean;
  readonly concurrency: number;
}

function port(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > 65_535)
    throw new InvalidArgumentError("expected a port number from 0 to 65535 (0 picks a free one)");
  return number;
}

/**
 * The bearer token: --token wins over $SIGNALBOX_TOKEN; empty means none.
 * @throws SignalboxError CONFIG_INVALID when it is too short to be a secret
 */
export function resolveToken(
  flag: string | undefined,
  environment: NodeJS.ProcessEnv,
): string | undefined {
  const token = flag || environment.SIGNALBOX_TOKEN || undefined;
  if (token !== undefined && token.length < MIN_TOKEN_LENGTH)
    throw new SignalboxError(
      ErrorCode.ConfigInvalid,
      `${flag ? "--token" : "SIGNALBOX_TOKEN"} is too short to be a secret: use at least ${MIN_TOKEN_LENGTH} characters (e.g. openssl rand -hex 32)`,
    );
  return token;
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilStopped(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve(signal);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

/**
 * A long-lived process is also a worker (unless told not to be): it drives queued
 * runs from any process, and its sweeper re-queues runs whose worker stopped and
 * expires overdue approvals, for as long as it runs.
 */
function withServerRuntime(
  io: CliIo,
  program: Command,
  work: (runtime: HostedRuntime) => Promise<void>,
  worker: {
    readonly enabled: boolean;
    readonly concurrency?: number;
    /** Run the config's schedules and watched folders here (serve and worker). */
    readonly triggers?: boolean;
  } = { enabled: true },
) {
  return withRuntime(
    io,
    program,
    async (runtime) => {
      if (worker.enabled) await runtime.startWorker({ concurrency: worker.concurrency });
      const stopTriggers = worker.triggers ? await runTriggers(runtime) : undefined;
      try {
        await work(runtime);
      } finally {
        await stopTriggers?.();
      }
    },
    { execute: worker.enabled ? "here" : "workers" },
  );
}

/** Starts the config's schedules and watched folders; returns how to stop them. */
async function runTriggers(runtime: HostedRuntime) {
  const triggers = runtime.triggers;
  if (!triggers?.config.schedules?.length && !triggers?.config.files?.length) return undefined;
  const { startTriggers } = await import("../../triggers/start-triggers.ts");
  return startTriggers(runtime, triggers.config, { directory: triggers.directory });
}

/** The receiver of the config's webhooks (none when there are none). */
async function webhookReceiver(runtime: HostedRuntime) {
  const webhooks = runtime.triggers?.config.webhooks ?? [];
  if (webhooks.length === 0) return undefined;
  const { createWebhookReceiver } = await import("../../triggers/webhook-receiver.ts");
  return createWebhookReceiver(runtime, webhooks);
}

/** Flags win over the config's `server`, which wins over loopback on 8765. */
async function serve(io: CliIo, runtime: HostedRuntime, options: ServeOptions): Promise<void> {
  const { startHttpServer } = await import("../../server/http-server.ts");
  const webhooks = await webhookReceiver(runtime);
  const server = await startHttpServer(runtime, {
    host: options.host ?? runtime.server?.host ?? "127.0.0.1",
    port: options.port ?? runtime.server?.port ?? 8765,
    token: resolveToken(options.token, process.env),
    allowedHosts: options.allowedHost ?? runtime.server?.allowedHosts,
    evalsDirectory: runtime.home === undefined ? undefined : join(runtime.home, "evals"),
    webhooks,
  });
  io.stdout.write(`signalbox MCP server listening on ${server.url}\n`);
  io.stdout.write(`dashboard at ${server.url.replace(/\/mcp$/, "/")}\n`);
  for (const name of webhooks?.names ?? [])
    io.stdout.write(`webhook ${name}: POST ${new URL(`/hooks/${name}`, server.url)}\n`);
  const signal = await untilStopped();
  runtime.logger.info({ signal }, "stopping the MCP server");
  await server.close();
}

function registerMcp(program: Command, io: CliIo): void {
  program
    .command("mcp")
    .description(
      "serve the workflows as MCP tools over stdio (for IDEs and agents); logs go to stderr",
    )
    .action(async () => {
      const { serveStdio } = await import("../../mcp/serve-stdio.ts");
      await withServerRuntime(io, program, (runtime) =>
        serveStdio(runtime, { stdin: process.stdin, stdout: process.stdout }),
      );
    });
}

function registerServe(program: Command, io: CliIo): void {
  program
    .command("serve")
    .description("serve the workflows as MCP tools over Streamable HTTP at /mcp, for many clients")
    .option(
      "--host <address>",
      "address to bind; anything but loopback requires a token (default: the config's, else 127.0.0.1)",
    )
    .option(
      "--port <n>",
      "port to listen on, 0 picks a free one (default: the config's, else 8765)",
      port,
    )
    .option("--token <secret>", "bearer token clients must send (default: $SIGNALBOX_TOKEN)")
    .option(
      "--allowed-host <name...>",
      "extra Host names to accept (DNS-rebinding allow-list), e.g. behind a proxy",
    )
    .option("--no-worker", "API only: queue runs for `signalbox worker` processes, drive none here")
    .option("--concurrency <n>", "runs the embedded worker drives at once", positiveInt, 4)
    .action(async (options: ServeOptions) => {
      const { assertSafeBinding } = await import("../../server/http-server.ts");
      // Check the token before opening the store, so a refused start leaves nothing behind
      // (a host from the config is checked when the server starts).
      assertSafeBinding(options.host ?? "127.0.0.1", resolveToken(options.token, process.env));
      await withServerRuntime(io, program, (runtime) => serve(io, runtime, options), {
        enabled: options.worker,
        concurrency: options.concurrency,
        triggers: true,
      });
    });
}

function registerWorker(program: Command, io: CliIo): void {
  program
    .command("worker")
    .description(
      "execute queued runs from any process on the same store (SQLite home or PostgreSQL), until stopped",
    )
    .option("--concurrency <n>", "runs driven at once", positiveInt, 4)
    .action(async (options: { concurrency: number }) =>
      withServerRuntime(
        io,
        program,
        async (runtime) => {
          io.stdout.write(
            `signalbox worker ${runtime.owner} on ${runtime.store.kind}, concurrency ${options.concurrency}\n`,
          );
          const signal = await untilStopped();
          runtime.logger.info({ signal }, "stopping the worker; finishing the runs it drives");
        },
        { enabled: true, concurrency: options.concurrency, triggers: true },
      ),
    );
}

/** `signalbox mcp`, `serve` and `worker`: the long-lived processes. */
export const registerServerCommands: RegisterCommand = (program, io) => {
  registerMcp(program, io);
  registerServe(program, io);
  registerWorker(program, io);
};
