import type { TriggersConfig } from "./trigger-config.ts";

/**
 * What `signalbox serve` offers with no config: the webhook `support`, starting
 * `support_triage` with `{ customerId, message }` (also read from `customer.id` and
 * `text`, as ticketing tools send them), signed with `secret` (SIGNALBOX_WEBHOOK_SECRET).
 */
export function demoTriggers(secret: string): TriggersConfig {
  return {
    webhooks: [
      {
        name: "support",
        workflow: "support_triage",
        secret,
        map: (body) => {
          const fields = (typeof body === "object" && body !== null ? body : {}) as Record<
            string,
            unknown
          >;
          const customer = fields.customer as { id?: unknown } | undefined;
          return {
            customerId: fields.customerId ?? customer?.id,
            message: fields.message ?? fields.text,
          };
        },
      },
    ],
  };
}
