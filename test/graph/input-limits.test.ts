import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { isSignalboxError, type SignalboxError } from "../../src/errors.ts";
import { DEFAULT_MAX_INPUT_BYTES } from "../../src/graph/input-size.ts";
import { defineWorkflow } from "../../src/graph/workflow.ts";
import { SupportData } from "../../src/workflows/support-triage/support-data.ts";
import { createSupportTriage } from "../../src/workflows/support-triage/workflow.ts";
import { openTestRuntime, tempHome } from "../support/runtime.ts";

// Issue #11, item 6: a 10 MB customerId was accepted and wrote 113 MB.

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A workflow whose one field has no limit of its own: only the global limit applies. */
const notes = (maxInputBytes?: number, name = "notes") =>
  defineWorkflow({
    name,
    description: "Stores a note",
    version: "1",
    input: z.object({ note: z.string(), tags: z.array(z.string()).default([]) }),
    output: z.object({ length: z.number() }),
    maxInputBytes,
  })
    .step("measure", { run: (state) => ({ output: { length: state.input.note.length } }) })
    .compile();

function setup(workflows: Parameters<typeof openTestRuntime>[1]) {
  const { home, cleanup } = tempHome("signalbox-input-limits-");
  const opened = openTestRuntime(home, workflows);
  cleanups.push(cleanup, () => opened.runtime.close());
  return { home, ...opened };
}

async function rejection(promise: Promise<unknown>): Promise<SignalboxError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isSignalboxError(error, "INPUT_INVALID"))
    throw new Error(`expected INPUT_INVALID, got ${error}`);
  return error;
}

describe("input size limits", () => {
  it("refuses a 10 MB customerId before anything is stored, naming the field and the limit", async () => {
    const { home } = tempHome("signalbox-input-triage-");
    const data = new SupportData(join(home, "support.db"));
    const { runtime, store } = setup([createSupportTriage({ data }) as never]);
    cleanups.push(() => data.close());
    const error = await rejection(
      runtime.start("support_triage", { customerId: "C".repeat(10_000_000), message: "hi" }),
    );
    expect(error.message).toBe(
      'input of workflow "support_triage" is too large: 9.5 MiB as JSON, the limit is 256 KiB; field customerId alone is 9.5 MiB',
    );
    expect(error.data).toMatchObject({ field: "customerId", limitBytes: DEFAULT_MAX_INPUT_BYTES });
    expect(await store.listRuns({})).toEqual([]);
  });

  it("limits each field of the shipped workflow in its schema", async () => {
    const { home } = tempHome("signalbox-input-fields-");
    const data = new SupportData(join(home, "support.db"));
    const { runtime } = setup([createSupportTriage({ data }) as never]);
    cleanups.push(() => data.close());
    const id = await rejection(
      runtime.start("support_triage", { customerId: "C-".repeat(40), message: "hi" }),
    );
    expect(id.message).toContain("customerId: a customer id has at most 64 characters");
    const message = await rejection(
      runtime.start("support_triage", { customerId: "C-1001", message: "x".repeat(20_001) }),
    );
    expect(message.message).toContain("message: the message has more than 20000 characters");
  });

  it("applies the default 256 KiB to any workflow, and a configured limit instead", async () => {
    const { runtime } = setup([notes(), notes(1024 * 1024, "big_notes")]);
    const note = "n".repeat(300 * 1024);
    const error = await rejection(runtime.start("notes", { note }));
    expect(error.message).toMatch(/300 KiB as JSON, the limit is 256 KiB; field note alone/);
    const run = await runtime.start("big_notes", { note });
    expect(run.output).toEqual({ length: 300 * 1024 });
  });

  it("names a long list as the list, not one of its items", async () => {
    const { runtime } = setup([notes(4096)]);
    const tags = Array.from({ length: 500 }, (_, index) => `tag-${index}`);
    const error = await rejection(runtime.start("notes", { note: "short", tags }));
    expect(error.data.field).toBe("tags");
    expect(error.message).toContain("the limit is 4 KiB; field tags alone is");
  });

  it("counts bytes, not characters", async () => {
    const { runtime } = setup([notes(1000)]);
    await expect(runtime.start("notes", { note: "é".repeat(400) })).resolves.toMatchObject({
      status: "succeeded",
    });
    await rejection(runtime.start("notes", { note: "€".repeat(400) }));
  });

  it("refuses a limit that is not a positive whole number when compiling", () => {
    expect(() => notes(0)).toThrow(/maxInputBytes must be a positive whole number/);
  });
});
