import type { ChatOptions } from "../chat-session.ts";
import type { GlobalFlags, RegisterCommand } from "../cli-io.ts";

/** `signalbox chat`: one shot with --message (scriptable, --json), else an interactive session. */
export const registerChat: RegisterCommand = (program, io) => {
  program
    .command("chat")
    .description(
      "talk to the workflows: an agent picks one, fills its input, runs it and reports back; approvals happen in the conversation",
    )
    .option("--message <text>", "send one message, print the reply and exit")
    .option("--json", "with --message: print the turn (reply, runs, ids) as JSON")
    .option("--conversation <id>", "continue this conversation (it must exist)")
    .option(
      "--user <name>",
      "who is chatting, recorded on approvals; the one who asked for a run may not approve it (default: your OS user name)",
    )
    .action(async (options: ChatOptions) => {
      const { runChat } = await import("../chat-session.ts");
      await runChat(io, program.opts<GlobalFlags>(), options);
    });
};
