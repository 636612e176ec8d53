import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { z } from "zod";
import type { RouteDeciderFunction, WorkflowState } from "../../graph/types.ts";
import { defineWorkflow } from "../../graph/workflow.ts";
import { INTENT_BRANCHES, type Intent } from "./branches.ts";
import { checkDraft, draftReply, type RefundCheck } from "./drafts.ts";
import { checkRefund } from "./refund-policy.ts";
import type { Customer, Order, SupportData } from "./support-data.ts";
import {
  mentionsChargeback,
  mentionsLegalAction,
  refundNotRequested,
  refundRequestQuoted,
  triesToOverride,
} from "./text-rules.ts";

/** Refunds above this amount (EUR) wait for a person's approval. */
export const REFUND_APPROVAL_LIMIT = 100;
const APPROVAL_DEADLINE_MS = 7 * 86_400_000;

/** Every field has a size limit (issue #11: a 10 MB customerId was accepted). */
const Input = z.object({
  customerId: z
    .string()
    .trim()
    .min(1, "the customer id is empty")
    .max(64, "a customer id has at most 64 characters")
    .describe("The customer's id, e.g. C-1001"),
  message: z
    .string()
    .trim()
    .min(1, "the message is empty")
    .max(20_000, "the message has more than 20000 characters")
    .describe("What the customer wrote"),
});

const intents = Object.keys(INTENT_BRANCHES) as [Intent, ...Intent[]];
const Output = z.object({
  intent: z.enum(intents),
  action: z.enum(["replied", "refunded", "refund_declined", "escalated"]),
  reply: z.string(),
  refund: z.object({ orderId: z.string(), amount: z.number() }).nullable(),
  handoffReason: z.string().nullable(),
});

const Fields = {
  customer: z.custom<Customer | null>(),
  orders: z.custom<Order[]>(),
  refund: z.custom<RefundCheck>(),
  draft: z.string(),
  draftProblems: z.array(z.string()),
};

type State = WorkflowState<
  z.infer<typeof Input>,
  { [K in keyof typeof Fields]: z.infer<(typeof Fields)[K]> },
  z.infer<typeof Output>
>;

const intentOf = (state: State): Intent =>
  (state.routes.classify_intent?.branch ?? "escalate_to_human") as Intent;

function replyOutput(state: State): z.infer<typeof Output> {
  const intent = intentOf(state);
  const refund = state.refund;
  const refunded = intent === "refund" && refund?.eligible === true && refund.orderId !== null;
  return {
    intent,
    action: refunded ? "refunded" : intent === "refund" ? "refund_declined" : "replied",
    reply: state.draft ?? "",
    refund: refunded && refund?.orderId ? { orderId: refund.orderId, amount: refund.amount } : null,
    handoffReason: null,
  };
}

function handoffReason(state: State): string {
  if ((state.draftProblems ?? []).length > 0)
    return `draft failed checks: ${state.draftProblems?.join(", ")}`;
  const approval = state.approvals.approve_refund;
  if (approval && approval.status !== "approved" && approval.status !== "not_required")
    return `refund approval ${approval.status}${approval.comment ? `: ${approval.comment}` : ""}`;
  return state.routes.classify_intent?.reason ?? "needs a person";
}

function handoffOutput(state: State): z.infer<typeof Output> {
  return {
    intent: intentOf(state),
    action: "escalated",
    reply: "Thanks for your message. A member of our team will get back to you personally.",
    refund: null,
    handoffReason: handoffReason(state),
  };
}

export interface SupportTriageOptions {
  readonly data: SupportData;
  /** The intent decider: a chat model or a function; default the offline classifier. */
  readonly decider?: BaseChatModel | RouteDeciderFunction<State>;
  /** Below this confidence the intent route escalates to a person. */
  readonly minConfidence?: number;
}

/**
 * Support triage: look up the customer, route the message by intent (rules
 * first), apply the refund policy, draft and check a reply, get approval for
 * large refunds, then issue the refund and send the reply (idempotent writes
 * with undo). Anything risky goes to a person.
 */
export function createSupportTriage(options: SupportTriageOptions) {
  const { data } = options;
  return defineWorkflow({
    name: "support_triage",
    title: "Support triage",
    description:
      "Triage a customer support message: classify intent (refund, billing question, technical, account change, or escalate to a human), apply the refund policy, draft and check a reply, ask for approval on refunds above 100 EUR, then issue the refund and send the reply.",
    version: "1.0.0",
    input: Input,
    output: Output,
    state: Fields,
  })
    .step("lookup_customer", {
      effect: "read",
      run: (state) => {
        const customer = data.customer(state.input.customerId) ?? null;
        return { customer, orders: customer ? data.orders(customer.id) : [] };
      },
      next: "classify_intent",
    })
    .route("classify_intent", {
      branches: INTENT_BRANCHES,
      text: (state) => state.input.message,
      // Rules read `text`: the message normalised (NFKC, no invisible characters).
      rules: [
        {
          name: "unknown_customer",
          when: (state) => state.customer === null,
          branch: "escalate_to_human",
          reason: "no customer with this id; a person must verify who is writing",
        },
        {
          name: "legal_threat",
          when: (_state, text) => mentionsLegalAction(text),
          branch: "escalate_to_human",
          reason: "the message mentions legal action",
        },
        {
          name: "chargeback",
          when: (_state, text) => mentionsChargeback(text),
          branch: "escalate_to_human",
          reason: "the customer mentions a chargeback",
        },
        {
          name: "prompt_injection",
          when: (_state, text) => triesToOverride(text),
          branch: "escalate_to_human",
          reason: "the message tries to override our rules",
        },
        // A refund that is mentioned is not a refund that is asked for (issue #11): these
        // never reach the branch that moves money, whatever the classifier would say.
        {
          name: "refund_not_requested",
          when: (_state, text) => refundNotRequested(text),
          branch: "billing_question",
          reason:
            "the message mentions a refund without asking for one (negated or hypothetical), so it is answered as a question",
        },
        {
          name: "quoted_refund_request",
          when: (_state, text) => refundRequestQuoted(text),
          branch: "escalate_to_human",
          reason: "the refund request is quoted or in someone else's words; a person decides",
        },
      ],
      decider: options.decider,
      defaultBranch: "escalate_to_human",
      escalationBranch: "escalate_to_human",
      minConfidence: options.minConfidence ?? 0.45,
    })
    .step("check_refund_policy", {
      effect: "read",
      run: (state) => ({
        refund: checkRefund(state.input.message, state.customer as Customer, state.orders ?? []),
      }),
      next: "draft_reply",
    })
    .step("draft_reply", {
      run: (state) => ({
        draft: draftReply(intentOf(state), state.customer as Customer, state.refund),
      }),
      next: "validate_draft",
    })
    .step("validate_draft", {
      run: (state) => ({
        draftProblems: checkDraft(
          state.draft ?? "",
          state.customer as Customer,
          state.refund,
          intentOf(state),
        ),
      }),
      next: "review_draft",
    })
    .route("review_draft", {
      branches: {
        hand_off: { description: "the draft failed its checks" },
        refund: { description: "an eligible refund to issue", to: "approve_refund" },
        reply: { description: "send the reply", to: "send_reply" },
      },
      rules: [
        {
          name: "draft_has_problems",
          when: (state) => (state.draftProblems ?? []).length > 0,
          branch: "hand_off",
          reason: "the draft failed its rule checks",
        },
        {
          name: "eligible_refund",
          when: (state) => intentOf(state) === "refund" && state.refund?.eligible === true,
          branch: "refund",
          reason: "the refund policy allows this refund",
        },
        {
          // The log says why no refund is issued, not only the reply (issue #11 item 9).
          name: "refund_declined_by_policy",
          when: (state) => intentOf(state) === "refund" && state.refund?.eligible === false,
          branch: "reply",
          reason: (state) => `the refund policy declines this refund: ${state.refund?.reason}`,
        },
      ],
      decider: null,
      defaultBranch: "reply",
    })
    .approval("approve_refund", {
      when: (state) => (state.refund?.amount ?? 0) > REFUND_APPROVAL_LIMIT,
      skipReason: (state) =>
        `a refund of ${state.refund?.amount.toFixed(2)} EUR is within the ${REFUND_APPROVAL_LIMIT} EUR limit`,
      message: (state) =>
        `Refund ${state.refund?.amount.toFixed(2)} EUR for order #${state.refund?.orderId} to ${state.customer?.name} (above the ${REFUND_APPROVAL_LIMIT} EUR limit)?`,
      details: (state) => ({
        customerId: state.input.customerId,
        refund: state.refund,
        message: state.input.message,
      }),
      deadlineMs: APPROVAL_DEADLINE_MS,
      on: {
        approved: "issue_refund",
        rejected: "hand_off",
        changes_requested: "hand_off",
        expired: "hand_off",
      },
    })
    .step("issue_refund", {
      effect: "write",
      describe: (state) => ({
        customerId: state.input.customerId,
        orderId: state.refund?.orderId,
        amount: state.refund?.amount,
      }),
      // The policy was checked steps ago; issueRefund checks again as it acts, in one
      // transaction. When another run got there first, the refund is declined and the
      // reply redrafted to say so (issue #11: one order was refunded 10 times).
      run: (state, context) => {
        const outcome = data.issueRefund(context.idempotencyKey, {
          customerId: state.input.customerId,
          orderId: state.refund?.orderId ?? "",
          amount: state.refund?.amount ?? 0,
        });
        if (outcome.status === "issued") return {};
        context.decide({
          node: context.node,
          kind: "fallback",
          options: [{ name: "issued" }, { name: "declined" }],
          choice: "declined",
          reason: `the refund was declined as it was issued: ${outcome.reason}`,
          confidence: 1,
          decidedBy: "rule",
        });
        const refund = {
          ...(state.refund as RefundCheck),
          eligible: false,
          reason: outcome.reason,
        };
        return { refund, draft: draftReply("refund", state.customer as Customer, refund) };
      },
      undo: async (effect) => data.reverseRefund(effect.key),
      next: "send_reply",
    })
    .step("send_reply", {
      effect: "write",
      describe: (state) => ({ to: state.customer?.email, body: state.draft }),
      run: (state, context) => {
        data.sendMail(context.idempotencyKey, {
          customerId: state.input.customerId,
          email: state.customer?.email ?? "",
          body: state.draft ?? "",
        });
        return { output: replyOutput(state) };
      },
      preview: (state) => ({ output: replyOutput(state) }),
      undo: async (effect) => data.retractMail(effect.key),
      retry: { maxAttempts: 3, initialIntervalMs: 100 },
    })
    .step("hand_off", {
      effect: "write",
      describe: (state) => ({ customerId: state.input.customerId, reason: handoffReason(state) }),
      run: (state, context) => {
        data.handOff(context.idempotencyKey, {
          customerId: state.input.customerId,
          reason: handoffReason(state),
          message: state.input.message,
        });
        return { output: handoffOutput(state) };
      },
      preview: (state) => ({ output: handoffOutput(state) }),
    })
    .compile();
}
