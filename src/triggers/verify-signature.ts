import { createHmac, timingSafeEqual } from "node:crypto";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { ErrorCode, errorMessage, SignalboxError } from "../errors.ts";

/** Request headers with lower-case names, as Node gives them. */
export type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** A verified delivery's id, or why it was refused (401) or malformed (400). */
export type Verification =
  | { readonly ok: true; readonly deliveryId: string }
  | { readonly ok: false; readonly status: 400 | 401; readonly message: string };

/** Checks one request's signature against a trigger's secret. */
export type VerifySignature = (headers: Headers, body: Buffer) => Verification;

const header = (headers: Headers, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * Standard Webhooks (standardwebhooks.com): `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`
 * in `webhook-signature`, and a `webhook-timestamp` at most 5 minutes from now, checked
 * by the `standardwebhooks` library.
 * @throws SignalboxError CONFIG_INVALID when the secret is not `whsec_<base64>`
 */
export function standardWebhookVerifier(secret: string, where: string): VerifySignature {
  let webhook: Webhook;
  try {
    if (!secret.startsWith("whsec_")) throw new Error("it does not start with whsec_");
    webhook = new Webhook(secret);
  } catch (error) {
    throw new SignalboxError(
      ErrorCode.ConfigInvalid,
      `${where}: the secret is not a Standard Webhooks secret (whsec_ followed by base64): ${errorMessage(error)}`,
    );
  }
  return (headers, body) => {
    const deliveryId = header(headers, "webhook-id");
    try {
      webhook.verify(
        body.toString("utf8"),
        {
          "webhook-id": deliveryId ?? "",
          "webhook-timestamp": header(headers, "webhook-timestamp") ?? "",
          "webhook-signature": header(headers, "webhook-signature") ?? "",
        },
        { jsonParse: false },
      );
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      return { ok: false, status: 401, message: `signature refused: ${error.message}` };
    }
    return { ok: true, deliveryId: deliveryId as string };
  };
}

/**
 * GitHub's scheme: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`, the
 * delivery id in `X-GitHub-Delivery`. It carries no timestamp: replays are stopped by
 * the delivery id alone.
 */
export function githubVerifier(secret: string): VerifySignature {
  return (headers, body) => {
    const signature = header(headers, "x-hub-signature-256") ?? "";
    const expected = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
    const matches =
      signature.length === expected.length &&
      timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
    if (!matches)
      return {
        ok: false,
        status: 401,
        message: "signature refused: X-Hub-Signature-256 does not match",
      };
    const deliveryId = header(headers, "x-github-delivery");
    if (!deliveryId)
      return { ok: false, status: 400, message: "the X-GitHub-Delivery header is missing" };
    return { ok: true, deliveryId };
  };
}
