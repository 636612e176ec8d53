import type { Intent } from "./branches.ts";
import type { Customer } from "./support-data.ts";

/** What the refund policy concluded for a request. */
export interface RefundCheck {
  readonly eligible: boolean;
  readonly orderId: string | null;
  readonly amount: number;
  readonly reason: string;
}

const TEMPLATES: Record<Exclude<Intent, "escalate_to_human" | "refund">, string> = {
  billing_question:
    "Thanks for your billing question. Your invoices and charges are listed under Settings > Billing; we have also attached a summary of your {plan} plan. Reply here if anything looks wrong.",
  technical:
    "Sorry about the trouble. We have logged the problem you describe and our engineers are looking at it; meanwhile, signing out and back in usually clears cached sessions. We will update you here.",
  account_change:
    "We have received your account change request for the {plan} plan. For your security we will confirm the change by email at {email} before applying it.",
};

/** What the technical agent answered, as the draft uses it. */
export interface TechnicalReply {
  readonly answer: string;
  readonly resolution: "answered" | "ticket_opened" | "escalate";
}

/** What a draft is made from besides the intent and the customer. */
export interface DraftFacts {
  readonly refund?: RefundCheck | undefined;
  /** The technical agent's answer: the body of a technical reply when it solved or ticketed it. */
  readonly technical?: TechnicalReply | undefined;
}

/** A reply from templates (or the technical agent's answer): deterministic, no model needed. */
export function draftReply(intent: Intent, customer: Customer, facts: DraftFacts = {}): string {
  const { refund, technical } = facts;
  const greeting = `Hello ${customer.name.split(" ")[0]},`;
  let body: string;
  if (intent === "refund") {
    body = refund?.eligible
      ? `We have issued a refund of ${refund.amount.toFixed(2)} EUR for order #${refund.orderId}. It will appear on your statement within 5 business days.`
      : `We looked into your refund request but cannot issue one: ${refund?.reason ?? "no order was found"}. Reply here if you think this is a mistake.`;
  } else if (intent === "technical" && technical && technical.resolution !== "escalate") {
    body = technical.answer;
  } else if (intent === "escalate_to_human") {
    body = "A member of our team will contact you personally.";
  } else {
    body = TEMPLATES[intent].replace("{plan}", customer.plan).replace("{email}", customer.email);
  }
  return `${greeting}\n\n${body}\n\nBest regards,\nSupport`;
}

/** Rule checks a draft must pass before it goes out. Returns the problems found. */
export function checkDraft(
  draft: string,
  customer: Customer,
  refund: RefundCheck | undefined,
  intent: Intent,
): string[] {
  const problems: string[] = [];
  if (!draft.startsWith("Hello ")) problems.push("missing greeting");
  if (draft.length > 2000) problems.push("longer than 2000 characters");
  if (/\{[a-z]+\}/.test(draft)) problems.push("unfilled template placeholder");
  if (/internal|TODO/i.test(draft)) problems.push("contains internal notes");
  if (intent === "refund" && refund?.eligible && !draft.includes(refund.amount.toFixed(2)))
    problems.push("does not state the refund amount");
  if (intent !== "refund" && /refund of/i.test(draft))
    problems.push("promises a refund that was not granted");
  if (!draft.includes(customer.name.split(" ")[0] ?? ""))
    problems.push("does not address the customer by name");
  return problems;
}
