import { type Command, InvalidArgumentError } from "commander";
import { ErrorCode, SignalboxError } from "../errors.ts";
import { serveStdio } from "../mcp/serve-stdio.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { assertSafeBinding, startHttpServer } from "../server/http-server.ts";
import type { CliIo, GlobalFlags } from "./program.ts";

const MIN_TOKEN_LENGTH = 16;

interface ServeOptions {
  readonly host: string;
  readonly port: number;
  readonly token?: string;
  readonly allowedHost?: string[];
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

async function withServerRuntime(
  io: CliIo,
  program: Command,
  work: (runtime: Runtime) => Promise<void>,
) {
  const runtime = await io.openRuntime(program.opts<GlobalFlags>());
  // A long-lived process picks up what dead ones left, in the background: runs left
  // running resume from their checkpoints, overdue approvals expire.
  runtime
    .recover()
    .catch((error: unknown) => runtime.logger.error({ error: String(error) }, "recovery failed"));
  try {
    await work(runtime);
  } finally {
    await runtime.close();
  }
}

async function serve(io: CliIo, runtime: Runtime, options: ServeOptions): Promise<void> {
  const server = await startHttpServer(runtime, {
    host: options.host,
    port: options.port,
    token: resolveToken(options.token, process.env),
    allowedHosts: options.allowedHost,
  });
  io.stdout.write(`signalbox MCP server listening on ${server.url}\n`);
  const signal = await untilStopped();
  runtime.logger.info({ signal }, "stopping the MCP server");
  await server.close();
}

/** Adds `mcp` (MCP over stdio) and `serve` (MCP over Streamable HTTP) to the program. */
export function addServerCommands(program: Command, io: CliIo): void {
  program
    .command("mcp")
    .description(
      "serve the workflows as MCP tools over stdio (for IDEs and agents); logs go to stderr",
    )
    .action(async () =>
      withServerRuntime(io, program, (runtime) =>
        serveStdio(runtime, { stdin: process.stdin, stdout: process.stdout }),
      ),
    );

  program
    .command("serve")
    .description("serve the workflows as MCP tools over Streamable HTTP at /mcp, for many clients")
    .option(
      "--host <address>",
      "address to bind; anything but loopback requires a token",
      "127.0.0.1",
    )
    .option("--port <n>", "port to listen on (0 picks a free one)", port, 8765)
    .option("--token <secret>", "bearer token clients must send (default: $SIGNALBOX_TOKEN)")
    .option(
      "--allowed-host <name...>",
      "extra Host names to accept (DNS-rebinding allow-list), e.g. behind a proxy",
    )
    .action(async (options: ServeOptions) => {
      // Check the token before opening the store, so a refused start leaves nothing behind.
      assertSafeBinding(options.host, resolveToken(options.token, process.env));
      await withServerRuntime(io, program, (runtime) => serve(io, runtime, options));
    });
}
