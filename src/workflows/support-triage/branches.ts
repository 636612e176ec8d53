import type { BranchSpec } from "../../graph/types.ts";

/** The intents support triage routes among, with examples the offline classifier learns from. */
export const INTENT_BRANCHES = {
  refund: {
    description:
      "The customer wants money back: a refund, a duplicate or wrong charge to reverse, cancel and reimburse an order",
    examples: [
      "I want a refund for my last order",
      "I was charged twice, please give me my money back",
      "please refund order 5012",
      "the product did not work and I want my money back",
      "cancel my purchase and reimburse me",
      "you billed me by mistake, reverse the charge",
      "I'd like to return this and get refunded",
      "can I get a refund, I never used it",
    ],
    to: "check_refund_policy",
  },
  billing_question: {
    description:
      "A question about invoices, prices, plans, payment methods or what a charge is for, without asking for money back",
    examples: [
      "why is my invoice higher this month",
      "what does the pro plan cost",
      "can I pay by bank transfer",
      "where can I download my invoice",
      "what is this charge on my statement",
      "when will I be billed next",
      "do you offer an annual discount",
      "how do I update my credit card",
    ],
    to: "draft_reply",
  },
  technical: {
    description:
      "Something does not work: errors, crashes, login problems, bugs, slow or broken features, integration or API issues",
    examples: [
      "the app crashes when I open settings",
      "I get error 500 when uploading a file",
      "I can't log in, the page keeps loading",
      "the export button does nothing",
      "your API returns a timeout",
      "sync is broken since the update",
      "the dashboard is very slow today",
      "password reset email never arrives",
    ],
    to: "draft_reply",
  },
  account_change: {
    description:
      "Change account details: email address, name, plan upgrade or downgrade, add or remove users, close or delete the account",
    examples: [
      "please change my email address",
      "I want to upgrade to the business plan",
      "downgrade me to the free plan",
      "add a new user to my team",
      "delete my account",
      "update the company name on my account",
      "switch my plan to monthly billing",
      "remove my colleague from the workspace",
    ],
    to: "draft_reply",
  },
  escalate_to_human: {
    description:
      "Needs a person: legal threats, chargebacks, complaints about staff, safety or privacy incidents, or anything unclear",
    examples: [
      "I will contact my lawyer",
      "I filed a chargeback with my bank",
      "I want to speak to a manager",
      "my data was leaked",
      "this is harassment by your employee",
      "I am going to report you to the authorities",
    ],
    to: "hand_off",
  },
} as const satisfies Record<string, BranchSpec>;

export type Intent = keyof typeof INTENT_BRANCHES;
