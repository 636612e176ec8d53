import { type RegisterCommand, withRuntime, write } from "../cli-io.ts";

/** `signalbox schedules`: the config's schedules with their next fire. */
export const registerSchedules: RegisterCommand = (program, io) => {
  program
    .command("schedules")
    .description("list the config's schedules with their next fire time and the last one that ran")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }) =>
      withRuntime(io, program, async (runtime) => {
        const { describeSchedules } = await import("../../triggers/schedules.ts");
        const list = await describeSchedules(runtime, runtime.triggers?.config.schedules ?? []);
        if (options.json) return write(io, JSON.stringify(list, null, 2));
        if (list.length === 0)
          return write(io, "no schedules (add triggers.schedules to signalbox.config.ts)");
        for (const item of list)
          write(
            io,
            `${item.name}  ${item.workflow}  "${item.cron}" ${item.timezone}  next ${item.nextFire ?? "never"}  last ${item.lastFire ?? "never"}  missed: ${item.missed}`,
          );
      }),
    );
};
