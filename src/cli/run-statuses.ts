import type { RunStatus } from "../store/types.ts";

/** Every run status, for `--status` choices. */
export const RUN_STATUSES = [
  "queued",
  "running",
  "waiting",
  "succeeded",
  "failed",
  "cancelled",
  "compensated",
] as const satisfies readonly RunStatus[];
