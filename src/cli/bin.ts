/**
 * The `signalbox` process: runs the command line and sets the exit code.
 * bin/signalbox.js loads the compiled copy of this file (dist/cli/bin.js);
 * `npm run dev -- <args>` runs it from source through tsx.
 */
import { runCli } from "./main.ts";

process.exitCode = await runCli(process.argv.slice(2));
