import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { z } from "zod";
import type { AgentTranscript, RouteDeciderFunction, WorkflowState } from "../../graph/types.ts";
import { type CompiledWorkflow, defineWorkflow } from "../../graph/workflow.ts";
import { createDraftReply, type DraftReplyOutput } from "../draft-reply/workflow.ts";
import { INTENT_BRANCHES, type Intent } from "./branches.ts";
import { draftReply, type RefundCheck } from "./drafts.ts";
import { checkRefund } from "./refund-policy.ts";
import type { Customer, Order, SupportData, Ticket } from "./support-data.ts";
import { DEFAULT_POLICY, policyFor, type SupportPolicy } from "./support-desk.ts";
import { createSupportTools } from "./support-tools.ts";
import {
  createTechnicalOfflineModel,
  TECHNICAL_INSTRUCTIONS,
  TechnicalAnswer,
  technicalPrompt,
} from "./technical-agent.ts";
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
  /** The help-centre article a technical answer is based on. */
  article: z.string().nullable(),
  /** The ticket the technical agent opened (or planned, in a dry run). */
  ticketId: z.string().nullable(),
});

/** What the technical agent concluded, and which articles it really retrieved. */
interface TechnicalOutcome extends TechnicalAnswer {
  readonly retrieved: readonly string[];
  readonly tools: readonly string[];
}

const Fields = {
  customer: z.custom<Customer | null>(),
  orders: z.custom<Order[]>(),
  tickets: z.custom<Ticket[]>(),
  policy: z.custom<SupportPolicy>(),
  refund: z.custom<RefundCheck>(),
  technical: z.custom<TechnicalOutcome>(),
  draft: z.string(),
  draftProblems: z.array(z.string()),
  review: z.custom<DraftReplyOutput>(),
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
    ...technicalFields(state),
  };
}

/** The cited article only when the agent really retrieved it (never one planted in the message). */
function technicalFields(state: State) {
  const technical = state.technical;
  const article =
    technical?.article != null && technical.retrieved.includes(technical.article)
      ? technical.article
      : null;
  return { article, ticketId: technical?.ticketId ?? null };
}

function handoffReason(state: State): string {
  if ((state.draftProblems ?? []).length > 0)
    return `draft failed checks: ${state.draftProblems?.join(", ")}`;
  if (state.review?.verdict === "hand_off") return state.review.reason;
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
    ...technicalFields(state),
  };
}

/** How long each context source may take before its fallback stands in. */
const CONTEXT_TIMEOUT_MS = 2000;

/** The intent branches, the technical one leading to the agent. */
const TRIAGE_BRANCHES = {
  ...INTENT_BRANCHES,
  technical: { ...INTENT_BRANCHES.technical, to: "solve_technical" },
};

/** The articles the agent really got from the help centre, and the tools it ran. */
function transcriptFacts(transcript: AgentTranscript) {
  const retrieved = transcript.calls.flatMap((call) => {
    if (call.tool !== "search_help_center" || call.result === undefined) return [];
    const results = (call.result as { results?: { id: string }[] }).results ?? [];
    return results.map((hit) => hit.id);
  });
  const tools = transcript.calls
    .filter((call) => ["succeeded", "planned", "replayed"].includes(call.outcome))
    .map((call) => call.tool);
  return { retrieved, tools };
}

export interface SupportTriageOptions {
  readonly data: SupportData;
  /** The intent decider: a chat model or a function; default the offline classifier. */
  readonly decider?: BaseChatModel | RouteDeciderFunction<State>;
  /** Below this confidence the intent route escalates to a person. */
  readonly minConfidence?: number;
  /** The `draft_reply` workflow it uses as a step; default a new one. */
  readonly draftReply?: CompiledWorkflow;
}

/**
 * Support triage: look up the customer, route the message by intent (rules
 * first), apply the refund policy, draft and check a reply, get approval for
 * large refunds, then issue the refund and send the reply (idempotent writes
 * with undo). Anything risky goes to a person.
 */
export function createSupportTriage(options: SupportTriageOptions) {
  const { data } = options;
  const draftReplyWorkflow = options.draftReply ?? createDraftReply();
  return defineWorkflow({
    name: "support_triage",
    title: "Support triage",
    description:
      "Triage a customer support message: gather the customer's orders, tickets and support policy, classify intent (refund, billing question, technical, account change, or escalate to a human), apply the refund policy or let a technical agent answer from the help centre (searching it, checking orders and service status, opening a ticket), draft and check a reply, ask for approval on refunds above 100 EUR, then issue the refund and send the reply.",
    version: "2.0.0",
    input: Input,
    output: Output,
    state: Fields,
  })
    .step("lookup_customer", {
      effect: "read",
      run: (state) => ({ customer: data.customer(state.input.customerId) ?? null }),
      next: "gather_context",
    })
    .parallel("gather_context", {
      // Issue 16: the context is read at once, each source with its own timeout and a
      // fallback, so one slow system does not hold up (or fail) the triage.
      branches: {
        order_history: {
          effect: "read",
          timeoutMs: CONTEXT_TIMEOUT_MS,
          run: (state) => (state.customer ? data.orders(state.customer.id) : []),
          fallback: () => [],
        },
        recent_tickets: {
          effect: "read",
          timeoutMs: CONTEXT_TIMEOUT_MS,
          run: (state) => (state.customer ? data.recentTickets(state.customer.id) : []),
          fallback: () => [],
        },
        policy: {
          effect: "read",
          timeoutMs: CONTEXT_TIMEOUT_MS,
          run: (state) => policyFor(state.customer?.plan),
          fallback: () => DEFAULT_POLICY,
        },
      },
      join: (_state, results, names) => {
        const by = new Map(names.map((name, index) => [name, results[index]]));
        return {
          orders: (by.get("order_history") ?? []) as Order[],
          tickets: (by.get("recent_tickets") ?? []) as Ticket[],
          policy: (by.get("policy") ?? DEFAULT_POLICY) as SupportPolicy,
        };
      },
      next: "classify_intent",
    })
    .route("classify_intent", {
      branches: TRIAGE_BRANCHES,
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
    .agent("solve_technical", {
      instructions: TECHNICAL_INSTRUCTIONS,
      tools: createSupportTools(data),
      offlineModel: createTechnicalOfflineModel(),
      output: TechnicalAnswer,
      maxIterations: 6,
      prompt: (state) =>
        technicalPrompt({
          message: state.input.message,
          customer: state.customer as Customer,
          orders: state.orders ?? [],
          tickets: state.tickets ?? [],
          policy: state.policy ?? DEFAULT_POLICY,
        }),
      result: (_state, answer, transcript) => ({
        technical: { ...answer, ...transcriptFacts(transcript) },
      }),
      fallback: (_state, error) => ({
        technical: {
          answer: `The technical agent gave no answer: ${error.message.slice(0, 300)}`,
          article: null,
          resolution: "escalate",
          ticketId: null,
          retrieved: [],
          tools: [],
        },
      }),
      next: "draft_reply",
    })
    .subworkflow("draft_reply", {
      workflow: draftReplyWorkflow,
      input: (state) => ({
        intent: intentOf(state),
        customer: state.customer,
        refund: state.refund ?? null,
        technical: state.technical
          ? {
              answer: state.technical.answer,
              article: state.technical.article,
              resolution: state.technical.resolution,
              retrieved: state.technical.retrieved,
            }
          : null,
      }),
      output: (_state, output) => {
        const review = output as DraftReplyOutput;
        return { review, draft: review.draft, draftProblems: review.problems };
      },
      next: "dispatch_reply",
    })
    .route("dispatch_reply", {
      branches: {
        hand_off: { description: "the draft needs a person" },
        refund: { description: "an eligible refund to issue", to: "approve_refund" },
        reply: { description: "send the reply", to: "send_reply" },
      },
      rules: (["hand_off", "refund", "reply"] as const).map((verdict) => ({
        name: `review_${verdict}`,
        when: (state: State) => state.review?.verdict === verdict,
        branch: verdict,
        reason: (state: State) => `draft_reply reviewed the draft: ${state.review?.reason}`,
      })),
      decider: null,
      defaultBranch: "hand_off",
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
        return { refund, draft: draftReply("refund", state.customer as Customer, { refund }) };
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
