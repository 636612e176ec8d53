import { Readable, Writable } from "node:stream";
import { runCli } from "../../src/cli/main.ts";

/** A stream that keeps what is written to it. */
export function sink() {
  let text = "";
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

/** Runs the CLI in-process with captured output (and `stdin` as its input); resolves to its exit code and output. */
export async function runCliCaptured(args: readonly string[], stdin = "") {
  const stdout = sink();
  const stderr = sink();
  const code = await runCli(args, {
    stdout: stdout.stream,
    stderr: stderr.stream,
    stdin: Readable.from([stdin]),
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
