/**
 * What the support desk knows besides the database: the support policy of each
 * plan and the state of the demo product's services (a fixed status page, so
 * runs and evals give the same answer every day).
 */

/** The support policy that applies to a customer, by plan and account status. */
export interface SupportPolicy {
  readonly name: string;
  readonly firstResponse: string;
  readonly channels: readonly string[];
  /** Whether opening a ticket for this customer needs a person's approval. */
  readonly ticketNeedsApproval: boolean;
}

const POLICIES: Readonly<Record<string, SupportPolicy>> = {
  free: {
    name: "free plan: community and email support",
    firstResponse: "3 business days",
    channels: ["help centre", "email"],
    ticketNeedsApproval: true,
  },
  pro: {
    name: "pro plan: standard support",
    firstResponse: "1 business day",
    channels: ["help centre", "email", "chat"],
    ticketNeedsApproval: false,
  },
  business: {
    name: "business plan: priority support",
    firstResponse: "4 hours",
    channels: ["help centre", "email", "chat", "phone"],
    ticketNeedsApproval: false,
  },
};

/** Used when the customer is unknown or the lookup fails: the strictest policy. */
export const DEFAULT_POLICY: SupportPolicy = POLICIES.free as SupportPolicy;

/** The policy for a plan (the strictest one for a plan we do not know). */
export function policyFor(plan: string | undefined): SupportPolicy {
  return (plan === undefined ? undefined : POLICIES[plan]) ?? DEFAULT_POLICY;
}

/** The components on the status page. */
export const SERVICE_COMPONENTS = [
  "sign-in",
  "sync",
  "exports",
  "api",
  "email",
  "webhooks",
] as const;
export type ServiceComponent = (typeof SERVICE_COMPONENTS)[number];

/** One component's state on the status page. */
export interface ServiceState {
  readonly component: ServiceComponent;
  readonly status: "operational" | "degraded" | "outage";
  readonly incident: string | null;
}

const STATUS: readonly ServiceState[] = SERVICE_COMPONENTS.map((component) =>
  component === "exports"
    ? {
        component,
        status: "degraded",
        incident: "INC-204: export emails are delayed by up to 2 hours; the fix is rolling out",
      }
    : { component, status: "operational", incident: null },
);

/** The status page: every component, or one. */
export function serviceStatus(component?: ServiceComponent): readonly ServiceState[] {
  return component === undefined ? STATUS : STATUS.filter((entry) => entry.component === component);
}
