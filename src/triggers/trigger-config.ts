import { z } from "zod";

/** What a webhook mapping is given besides the body. */
export interface WebhookRequest {
  /** The request headers, lower-case names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The delivery id (`webhook-id`, or `X-GitHub-Delivery`). */
  readonly deliveryId: string;
}

/** `POST /hooks/<name>` on `signalbox serve` starts a run of `workflow`. */
export interface WebhookTrigger {
  /** The URL segment and the trigger's name: lower-case letters, digits, `-` and `_`. */
  readonly name: string;
  readonly workflow: string;
  /**
   * The signing secret: `whsec_<base64>` for Standard Webhooks, any string for GitHub.
   * Read it from the environment in the config (`process.env.MY_HOOK_SECRET`).
   */
  readonly secret: string;
  /** `standard` (default): `webhook-id`/`webhook-timestamp`/`webhook-signature`; `github`: `X-Hub-Signature-256`. */
  readonly signature?: "standard" | "github";
  /** Turns the parsed body into the workflow's input (default: the body as it is). */
  readonly map?: (body: unknown, request: WebhookRequest) => unknown;
}

/** What a schedule's `input` function is given. */
export interface ScheduleFire {
  readonly name: string;
  /** The fire time this run stands for (ISO). */
  readonly fireTime: string;
  /** True for the one run started at start-up for a fire time missed while nothing ran. */
  readonly catchUp: boolean;
}

/** A cron schedule: exactly one run per fire time, however many processes run it. */
export interface ScheduleTrigger {
  readonly name: string;
  readonly workflow: string;
  /** Cron (5 or 6 fields, seconds first when 6), e.g. `0 7 * * 1-5`. */
  readonly cron: string;
  /** IANA time zone the expression is read in, e.g. `Europe/Berlin`. Default: UTC. */
  readonly timezone?: string;
  /** The workflow input: a value, or a function of the fire. Default `{}`. */
  readonly input?: unknown;
  /** Fires missed while no process ran: `skip` them (default), or `catch-up` with one run for the latest. */
  readonly missed?: "skip" | "catch-up";
}

/** What a file trigger's `input` function is given. */
export interface FileArrival {
  /** Where the claimed file is now (in the `processing/` folder). */
  readonly path: string;
  /** Its original file name. */
  readonly name: string;
}

/** Watches a folder; each file that arrives starts one run, then moves to `done/` or `failed/`. */
export interface FileTrigger {
  readonly name: string;
  readonly workflow: string;
  /** The folder watched, relative to the config file. */
  readonly folder: string;
  /** Turns the claimed file into the workflow's input. Default `{ path }`. */
  readonly input?: (file: FileArrival) => unknown;
}

/** The `triggers` key of `signalbox.config.ts`: what starts runs besides people and agents. */
export interface TriggersConfig {
  readonly webhooks?: readonly WebhookTrigger[];
  readonly schedules?: readonly ScheduleTrigger[];
  readonly files?: readonly FileTrigger[];
}

const TriggerName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]*$/, "expected lower-case letters, digits, - and _ (a URL segment)")
  .max(64);
const WorkflowName = z.string().min(1, "expected the name of a hosted workflow");
const optionalFunction = z
  .custom<(...args: never[]) => unknown>((value) => typeof value === "function", {
    error: "expected a function",
  })
  .optional();

const WebhookShape = z.strictObject({
  name: TriggerName,
  workflow: WorkflowName,
  secret: z.string().min(16, "expected a secret of at least 16 characters"),
  signature: z.enum(["standard", "github"]).optional(),
  map: optionalFunction,
});

const ScheduleShape = z.strictObject({
  name: TriggerName,
  workflow: WorkflowName,
  cron: z.string().min(1, "expected a cron expression such as 0 7 * * 1-5"),
  timezone: z.string().min(1).optional(),
  input: z.unknown().optional(),
  missed: z.enum(["skip", "catch-up"]).optional(),
});

const FileShape = z.strictObject({
  name: TriggerName,
  workflow: WorkflowName,
  folder: z.string().min(1, "expected a folder to watch"),
  input: optionalFunction,
});

const uniqueNames =
  (kind: string) => (list: readonly { name: string }[], context: z.RefinementCtx) => {
    const seen = new Set<string>();
    list.forEach((entry, index) => {
      if (seen.has(entry.name))
        context.addIssue({
          code: "custom",
          path: [index, "name"],
          message: `another ${kind} is named "${entry.name}"`,
        });
      seen.add(entry.name);
    });
  };

/** The schema the config's `triggers` is checked against; errors name the key. */
export const TriggersConfigSchema = z.strictObject({
  webhooks: z.array(WebhookShape).superRefine(uniqueNames("webhook")).optional(),
  schedules: z.array(ScheduleShape).superRefine(uniqueNames("schedule")).optional(),
  files: z.array(FileShape).superRefine(uniqueNames("file trigger")).optional(),
});
