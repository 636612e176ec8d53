import type { Logger } from "pino";
import { ErrorCode, errorMessage, isSignalboxError } from "../errors.ts";
import type { Runtime } from "../runtime/runtime.ts";
import type { WebhookRequest, WebhookTrigger } from "./trigger-config.ts";
import {
  githubVerifier,
  type Headers,
  standardWebhookVerifier,
  type VerifySignature,
} from "./verify-signature.ts";

/** The answer to one delivery, for the HTTP adapter to send as it is. */
export interface WebhookOutcome {
  readonly status: 200 | 202 | 400 | 401 | 404 | 422 | 500;
  readonly body: Readonly<Record<string, unknown>>;
}

/** Receives `POST /hooks/<name>` deliveries and starts their runs. */
export interface WebhookReceiver {
  /** The webhook names it answers. */
  readonly names: readonly string[];
  /**
   * Verifies the signature, maps and validates the input and starts the run (202), or
   * answers the first run of an already seen delivery id (200, `duplicate: true`).
   */
  deliver(name: string, headers: Headers, body: Buffer): Promise<WebhookOutcome>;
}

interface Hook {
  readonly trigger: WebhookTrigger;
  readonly verify: VerifySignature;
}

function flatHeaders(headers: Headers): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(headers).map(([key, value]) => [
      key,
      Array.isArray(value) ? value.join(", ") : value,
    ]),
  );
}

function parseBody(body: Buffer): { ok: true; value: unknown } | { ok: false; message: string } {
  if (body.length === 0) return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(body.toString("utf8")) as unknown };
  } catch (error) {
    return { ok: false, message: `the body is not valid JSON: ${errorMessage(error)}` };
  }
}

/** The workflow input: the mapping's result, or why it failed (422). */
function mapInput(
  hook: Hook,
  body: unknown,
  request: WebhookRequest,
): { ok: true; input: unknown } | { ok: false; outcome: WebhookOutcome } {
  try {
    return { ok: true, input: hook.trigger.map ? hook.trigger.map(body, request) : body };
  } catch (error) {
    const message = `the mapping of webhook "${hook.trigger.name}" failed: ${errorMessage(error)}`;
    return { ok: false, outcome: { status: 422, body: { error: message } } };
  }
}

/**
 * The webhooks of a runtime. Each delivery id starts at most one run: the id is a
 * unique key stored with the run in one transaction, so a retried or replayed
 * delivery (even one racing the first) answers the first run's id.
 * @throws SignalboxError CONFIG_INVALID for a bad secret or an unknown workflow
 */
export function createWebhookReceiver(
  runtime: Runtime,
  webhooks: readonly WebhookTrigger[],
  logger: Logger = runtime.logger,
): WebhookReceiver {
  const hooks = new Map<string, Hook>();
  for (const trigger of webhooks) {
    const where = `webhook "${trigger.name}"`;
    runtime.workflow(trigger.workflow);
    const verify =
      trigger.signature === "github"
        ? githubVerifier(trigger.secret)
        : standardWebhookVerifier(trigger.secret, where);
    hooks.set(trigger.name, { trigger, verify });
  }
  const deliver = async (name: string, headers: Headers, raw: Buffer): Promise<WebhookOutcome> => {
    const hook = hooks.get(name);
    if (hook === undefined)
      return {
        status: 404,
        body: {
          error: `no webhook "${name}"; webhooks here: ${[...hooks.keys()].join(", ") || "none"}`,
        },
      };
    const verified = hook.verify(headers, raw);
    if (!verified.ok) {
      logger.warn({ webhook: name, reason: verified.message }, "webhook delivery refused");
      return { status: verified.status, body: { error: verified.message } };
    }
    const body = parseBody(raw);
    if (!body.ok) return { status: 400, body: { error: body.message } };
    const request = { headers: flatHeaders(headers), deliveryId: verified.deliveryId };
    const mapped = mapInput(hook, body.value, request);
    if (!mapped.ok) return mapped.outcome;
    return startRun(runtime, hook.trigger, mapped.input, verified.deliveryId);
  };
  return { names: [...hooks.keys()], deliver };
}

async function startRun(
  runtime: Runtime,
  trigger: WebhookTrigger,
  input: unknown,
  deliveryId: string,
): Promise<WebhookOutcome> {
  try {
    const { run, created } = await runtime.startOnce(trigger.workflow, input, {
      kind: "webhook",
      name: trigger.name,
      key: deliveryId,
      details: { deliveryId },
    });
    return created
      ? { status: 202, body: { runId: run.id } }
      : { status: 200, body: { runId: run.id, duplicate: true } };
  } catch (error) {
    if (isSignalboxError(error) && error.code === ErrorCode.InputInvalid)
      return { status: 422, body: { error: error.message, issues: error.data?.issues } };
    throw error;
  }
}
