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

/** The workflows signalbox ships, ready to register. */
export function createBuiltinWorkflows(options: BuiltinWorkflowOptions): CompiledWorkflow[] {
  const support = new SupportData(join(options.home, SUPPORT_DATA_FILE));
  const media = join(options.home, "media");
  // support_triage runs draft_reply as a step; the same workflow is also offered alone.
  const draftReply = createDraftReply() as CompiledWorkflow;
  return [
    createSupportTriage({ data: support, draftReply }) as CompiledWorkflow,
    draftReply,
    createMediaIntake({
      stagingDir: join(media, "staging"),
      publishDir: join(media, "published"),
    }) as CompiledWorkflow,
  ];
}

export { createDraftReply, createMediaIntake, createSupportTriage, SupportData };
