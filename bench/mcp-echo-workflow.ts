/**
 * The trivial workflow the MCP latency benchmark serves twice (bare SDK and
 * ours): one pure step, so what is measured is the serving, not the work.
 */
import { z } from "zod";
import { type CompiledWorkflow, defineWorkflow } from "../src/graph/workflow.ts";

export const ECHO_TOOL = "echo";
export const ECHO_INPUT = { text: "benchmark input" };
export const EchoInput = z.object({ text: z.string() });
export const EchoOutput = z.object({ length: z.number() });

/** One pure step returning the input text's length. */
export function echoWorkflow(): CompiledWorkflow {
  return defineWorkflow({
    name: ECHO_TOOL,
    description: "One pure step: returns the length of the text",
    version: "1",
    input: EchoInput,
    output: EchoOutput,
  })
    .step("measure", {
      effect: "pure",
      run: (state) => ({ output: { length: state.input.text.length } }),
    })
    .compile() as CompiledWorkflow;
}

/** Resolves once stdin ends: the bench servers' way to know the benchmark is done. */
export function untilStdinEnds(): Promise<void> {
  return new Promise((resolve) => {
    process.stdin.once("end", resolve);
    process.stdin.once("close", resolve);
    process.stdin.resume();
  });
}
