import { createInterface } from "node:readline";
import { ErrorCode, errorMessage, SignalboxError } from "../errors.ts";
import type { RunDetails } from "../runtime/runtime.ts";
import type { ChatAgent } from "./chat-agent.ts";
import type { ChatEvent } from "./chat-events.ts";

/** Where the terminal session reads and writes. */
export interface TerminalSessionOptions {
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream & { isTTY?: boolean };
  /** Continue this conversation (it must exist). */
  readonly conversationId?: string;
  /** Who is typing: recorded as the requester of runs and as who decided approvals. */
  readonly user?: string;
  /** How `/show` prints a run. */
  readonly renderRun: (details: RunDetails) => string;
}

const HELP = `Type what you need. Commands: /runs (runs of this conversation), /show <run id>, /approve, /reject, /help, /quit`;
const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** A spinner on one line while a workflow runs; plain lines when not on a terminal. */
class Spinner {
  private timer: NodeJS.Timeout | undefined;
  private frame = 0;

  constructor(private readonly output: TerminalSessionOptions["output"]) {}

  start(label: string): void {
    this.stop();
    if (this.output.isTTY !== true) {
      this.output.write(`… ${label}\n`);
      return;
    }
    this.timer = setInterval(() => {
      this.frame = (this.frame + 1) % FRAMES.length;
      this.output.write(`\r${FRAMES[this.frame]} ${label}`);
    }, 100);
  }

  stop(): void {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.output.write("\r\x1b[K");
  }
}

class TerminalSession {
  private conversationId: string | undefined;
  private readonly spinner: Spinner;
  private streamed = false;

  constructor(
    private readonly chat: ChatAgent,
    private readonly options: TerminalSessionOptions,
  ) {
    this.conversationId = options.conversationId;
    this.spinner = new Spinner(options.output);
  }

  private write(text: string): void {
    this.options.output.write(`${text}\n`);
  }

  private onEvent(event: ChatEvent): void {
    if (event.type === "token") {
      if (!this.streamed) this.options.output.write("assistant> ");
      this.streamed = true;
      this.options.output.write(event.text);
    } else if (event.type === "tool-call") {
      this.write(`  → ${event.name}${event.rationale ? `: ${event.rationale}` : ""}`);
    } else if (event.type === "run-progress" && event.event.type === "run-start") {
      this.spinner.start(`running ${event.event.workflow} (run ${event.event.runId})`);
    } else if (event.type === "run-progress" && event.event.type === "run-end") {
      this.spinner.stop();
      this.write(`  run ${event.event.runId}: ${event.event.status}`);
    } else if (event.type === "approval-request") {
      this.spinner.stop();
      this.write(`  ? approval needed: ${event.message}`);
    }
  }

  async send(message: string): Promise<void> {
    this.streamed = false;
    try {
      const turn = await this.chat.send({
        message,
        conversationId: this.conversationId,
        user: this.options.user,
        onEvent: (event) => this.onEvent(event),
      });
      this.spinner.stop();
      this.conversationId = turn.conversationId;
      if (this.streamed) this.write("");
      else this.write(`assistant> ${turn.reply}`);
    } catch (error) {
      this.spinner.stop();
      this.write(`error: ${errorMessage(error)}`);
    }
  }

  async listRuns(): Promise<void> {
    if (this.conversationId === undefined) return this.write("no runs yet in this conversation");
    const runs = await this.chat.runs(this.conversationId);
    if (runs.length === 0) return this.write("no runs yet in this conversation");
    for (const run of runs) this.write(`${run.id}  ${run.workflow}  ${run.status}`);
  }

  async show(runId: string | undefined): Promise<void> {
    if (!runId) return this.write("usage: /show <run id> (see /runs)");
    try {
      this.write(this.options.renderRun(await this.chat.runtime.get(runId)));
    } catch (error) {
      this.write(`error: ${errorMessage(error)}`);
    }
  }

  /** Handles one line; false when the session should end. */
  async handle(line: string): Promise<boolean> {
    const [command, ...rest] = line.trim().split(/\s+/);
    if (command === undefined || command === "") return true;
    if (command === "/quit" || command === "/exit") return false;
    if (command === "/help") this.write(HELP);
    else if (command === "/runs") await this.listRuns();
    else if (command === "/show") await this.show(rest[0]);
    else if (command === "/approve") await this.send("approve");
    else if (command === "/reject") await this.send("reject");
    else if (command.startsWith("/")) this.write(`unknown command ${command}. ${HELP}`);
    else await this.send(line);
    return true;
  }

  async greet(): Promise<void> {
    this.write(`signalbox chat. ${HELP}`);
    if (this.conversationId === undefined) return;
    if (!(await this.chat.exists(this.conversationId)))
      throw new SignalboxError(
        ErrorCode.InputInvalid,
        `no conversation with id "${this.conversationId}"; omit --conversation to start a new one`,
      );
    for (const entry of await this.chat.history(this.conversationId))
      if (entry.role !== "tool")
        this.write(`${entry.role === "user" ? "you" : "assistant"}> ${entry.content}`);
  }
}

/**
 * An interactive chat in the terminal: line editing and history (readline),
 * streamed tokens when the model streams, a spinner while a workflow runs,
 * and /runs, /show, /approve, /reject, /quit. Resolves when the person quits
 * or the input ends.
 * @throws SignalboxError INPUT_INVALID when `conversationId` does not exist
 */
export async function runTerminalSession(
  chat: ChatAgent,
  options: TerminalSessionOptions,
): Promise<void> {
  const session = new TerminalSession(chat, options);
  await session.greet();
  const lines = createInterface({
    input: options.input,
    output: options.output,
    terminal: options.output.isTTY === true,
    historySize: 200,
  });
  lines.setPrompt("you> ");
  lines.prompt();
  try {
    for await (const line of lines) {
      if (!(await session.handle(line))) break;
      lines.prompt();
    }
  } finally {
    lines.close();
  }
  options.output.write("bye\n");
}
