import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import type { Runtime } from "../runtime/runtime.ts";
import type { RunStore } from "../store/types.ts";
import type { TriggersConfig } from "../triggers/trigger-config.ts";
import type { Project } from "./project.ts";

/** `signalbox serve` defaults from the project's config. */
export interface ServerDefaults {
  readonly host?: string;
  readonly port?: number;
  readonly allowedHosts?: readonly string[];
}

/** The project's triggers and the directory their relative folders start from. */
export interface HostedTriggers {
  readonly config: TriggersConfig;
  readonly directory: string;
}

/** The runtime a command gets: the project's, with its serve defaults and triggers. */
export type HostedRuntime = Runtime & {
  readonly server?: ServerDefaults;
  /** The data directory, when the runtime has one. */
  readonly home?: string;
  readonly triggers?: HostedTriggers;
};

/** What commands need from the process, injected so tests can drive the CLI in-process. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream;
  /** Where `--input @-` reads from. */
  readonly stdin: NodeJS.ReadableStream;
  /** The project's config (if any) and settings. */
  openProject(flags: GlobalFlags): Promise<Project>;
  /** The runtime with the configured workflows, store and model. */
  openRuntime(flags: GlobalFlags): Promise<HostedRuntime>;
  /** The run store alone, for commands that only read runs: no workflows, no model. */
  openStore(flags: GlobalFlags): Promise<RunStore>;
  setExitCode(code: number): void;
}

export interface GlobalFlags {
  readonly home?: string;
  readonly config?: string;
  readonly logLevel?: string;
  readonly model?: string;
  readonly databaseUrl?: string;
  /** Set by commands, not a flag: whether runs started here are driven here (default) or by workers. */
  readonly execute?: "here" | "workers";
  /** Set by commands, not a flag: their SQLite commit durability when SIGNALBOX_SQLITE_SYNCHRONOUS is unset. */
  readonly sqliteSynchronous?: "FULL" | "NORMAL";
}

/** Adds one command (or a few related ones) to the program. */
export type RegisterCommand = (program: Command, io: CliIo) => void;

export function write(io: CliIo, text: string): void {
  io.stdout.write(`${text}\n`);
}

export function positiveInt(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0)
    throw new InvalidArgumentError("expected a positive whole number");
  return number;
}

/** Opens the runtime with the program's global flags, runs `work`, and closes it. */
export async function withRuntime<T>(
  io: CliIo,
  program: Command,
  work: (runtime: HostedRuntime) => Promise<T>,
  flags: Partial<GlobalFlags> = {},
): Promise<T> {
  const runtime = await io.openRuntime({ ...program.opts<GlobalFlags>(), ...flags });
  try {
    return await work(runtime);
  } finally {
    await runtime.close();
  }
}

/** Opens the run store alone, runs `work`, and closes it. */
export async function withStore<T>(
  io: CliIo,
  program: Command,
  work: (store: RunStore) => Promise<T>,
): Promise<T> {
  const store = await io.openStore(program.opts<GlobalFlags>());
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}
