import { userInfo } from "node:os";
import { type ChatAgent, createChatAgent } from "../chat/chat-agent.ts";
import type { ChatEvent } from "../chat/chat-events.ts";
import { runTerminalSession } from "../chat/terminal-session.ts";
import type { Runtime } from "../runtime/runtime.ts";
import type { CliIo, GlobalFlags } from "./cli-io.ts";
import { renderRun } from "./render.ts";

export interface ChatOptions {
  readonly message?: string;
  readonly json?: boolean;
  readonly conversation?: string;
  readonly user?: string;
}

/** Who is chatting: --user, else the operating-system account. */
function chatUser(options: ChatOptions): string | undefined {
  if (options.user !== undefined) return options.user;
  try {
    return userInfo().username || undefined;
  } catch {
    return process.env.USER || process.env.USERNAME || undefined;
  }
}

/** The chat agent with the configured model (--model / $SIGNALBOX_MODEL, via the runtime), offline by default. */
function chatAgentFor(runtime: Runtime): ChatAgent {
  return createChatAgent(runtime, { trigger: "cli-chat" });
}

/** Progress on stderr, so stdout stays the reply (or the JSON) for scripts. */
function progressLine(event: ChatEvent): string | undefined {
  switch (event.type) {
    case "tool-call":
      return `→ ${event.name}${event.rationale ? `: ${event.rationale}` : ""}`;
    case "run-progress":
      return event.event.type === "run-end"
        ? `  run ${event.event.runId} ${event.event.status}`
        : undefined;
    case "approval-request":
      return `? run ${event.runId} waits for approval: ${event.message}`;
    default:
      return undefined;
  }
}

async function oneShot(io: CliIo, chat: ChatAgent, message: string, options: ChatOptions) {
  const turn = await chat.send({
    message,
    conversationId: options.conversation,
    user: chatUser(options),
    onEvent: (event) => {
      const line = options.json ? undefined : progressLine(event);
      if (line !== undefined) io.stderr.write(`${line}\n`);
    },
  });
  if (options.json) io.stdout.write(`${JSON.stringify(turn, null, 2)}\n`);
  else io.stdout.write(`${turn.reply}\n\nconversation: ${turn.conversationId}\n`);
}

/** Runs `signalbox chat`: one shot with --message, else an interactive terminal session. */
export async function runChat(io: CliIo, flags: GlobalFlags, options: ChatOptions): Promise<void> {
  const runtime = await io.openRuntime(flags);
  try {
    const chat = chatAgentFor(runtime);
    if (options.message !== undefined) return await oneShot(io, chat, options.message, options);
    await runTerminalSession(chat, {
      input: process.stdin,
      output: io.stdout,
      conversationId: options.conversation,
      user: chatUser(options),
      renderRun: (details) => renderRun(details, io.stdout.isTTY === true),
    });
  } finally {
    await runtime.close();
  }
}
