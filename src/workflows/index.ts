import { rmSync } from "node:fs";
import { join } from "node:path";
import type { CompiledWorkflow } from "../graph/workflow.ts";
import { createDraftReply } from "./draft-reply/workflow.ts";
import { createMediaIntake } from "./media-intake/workflow.ts";
import { SupportData } from "./support-triage/support-data.ts";
import { createSupportTriage } from "./support-triage/workflow.ts";

/** What the shipped workflows need from their host. */
export interface BuiltinWorkflowOptions {
  /** The data directory; the support data set lives in `support.db` there. */
  readonly home: string;
}

/** The names of the workflows {@link createBuiltinWorkflows} returns. */
export const BUILTIN_WORKFLOW_NAMES: readonly string[] = [
  "support_triage",
  "draft_reply",
  "media_intake",
];

const SUPPORT_DATA_FILE = "support.db";

/**
 * Forgets what the demo workflows did to their data (refunds, mail, hand-offs,
 * published media) by removing their data from `home`; the next run seeds it afresh.
 * Runs and their decision logs (`signalbox.db`) stay.
 */
export function resetBuiltinData(home: string): void {
  for (const suffix of ["", "-wal", "-shm"])
    rmSync(join(home, `${SUPPORT_DATA_FILE}${suffix}`), { force: true });
  rmSync(join(home, "media"), { recursive: true, force: true });
}

/** A built-in workflow by name, with the function that compiles it. */
export interface BuiltinWorkflowFactory {
  readonly name: string;
  readonly create: () => CompiledWorkflow;
}

/**
 * The workflows signalbox ships, each compiled (and its support data opened) only
 * when `create` is called, once: a host registers them with
 * `WorkflowRegistry.registerLazy` so that `signalbox run support_triage` compiles
 * support_triage and the draft_reply it runs as a step, not media_intake.
 */
export function builtinWorkflowFactories(
  options: BuiltinWorkflowOptions,
): BuiltinWorkflowFactory[] {
  const media = join(options.home, "media");
  const once = <T>(create: () => T): (() => T) => {
    let made: { value: T } | undefined;
    return () => {
      made ??= { value: create() };
      return made.value;
    };
  };
  // support_triage runs draft_reply as a step; the same workflow is also offered alone.
  const draftReply = once(() => createDraftReply() as CompiledWorkflow);
  const factories: BuiltinWorkflowFactory[] = [
    {
      name: "support_triage",
      create: once(
        () =>
          createSupportTriage({
            data: new SupportData(join(options.home, SUPPORT_DATA_FILE)),
            draftReply: draftReply(),
          }) as CompiledWorkflow,
      ),
    },
    { name: "draft_reply", create: draftReply },
    {
      name: "media_intake",
      create: once(
        () =>
          createMediaIntake({
            stagingDir: join(media, "staging"),
            publishDir: join(media, "published"),
          }) as CompiledWorkflow,
      ),
    },
  ];
  return factories;
}

/** The workflows signalbox ships, compiled and ready to register. */
export function createBuiltinWorkflows(options: BuiltinWorkflowOptions): CompiledWorkflow[] {
  return builtinWorkflowFactories(options).map((factory) => factory.create());
}

export { createDraftReply, createMediaIntake, createSupportTriage, SupportData };
