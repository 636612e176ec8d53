import { z } from "zod";
import type { WorkflowState } from "../../graph/types.ts";
import { defineWorkflow } from "../../graph/workflow.ts";
import { INTENT_BRANCHES, type Intent } from "../support-triage/branches.ts";
import { checkDraft, draftReply, type RefundCheck } from "../support-triage/drafts.ts";
import type { Customer } from "../support-triage/support-data.ts";

const intents = Object.keys(INTENT_BRANCHES) as [Intent, ...Intent[]];
const text = (max: number) => z.string().max(max);

/** What a reply is drafted from: the intent, the customer, and what earlier steps found. */
export const DraftReplyInput = z
  .object({
    intent: z.enum(intents),
    customer: z
      .object({
        id: text(64),
        name: text(200).min(1),
        email: text(320),
        plan: text(32),
        status: text(32),
      })
      .strict(),
    refund: z
      .object({
        eligible: z.boolean(),
        orderId: text(16).nullable(),
        amount: z.number(),
        reason: text(500),
      })
      .strict()
      .nullable()
      .default(null),
    technical: z
      .object({
        answer: text(1500),
        article: text(64).nullable(),
        resolution: z.enum(["answered", "ticket_opened", "escalate"]),
        /** The articles the agent actually got from search_help_center. */
        retrieved: z.array(text(64)).max(50),
      })
      .strict()
      .nullable()
      .default(null),
  })
  .strict();
export type DraftReplyInput = z.infer<typeof DraftReplyInput>;

/** The draft, the problems its checks found, and what should happen to it. */
export const DraftReplyOutput = z.object({
  verdict: z.enum(["hand_off", "refund", "reply"]),
  reason: z.string(),
  draft: z.string(),
  problems: z.array(z.string()),
});
export type DraftReplyOutput = z.infer<typeof DraftReplyOutput>;

const Fields = { draft: z.string(), problems: z.array(z.string()) };
type State = WorkflowState<
  DraftReplyInput,
  { draft: string; problems: string[] },
  DraftReplyOutput
>;

const refundOf = (state: State): RefundCheck | undefined => state.input.refund ?? undefined;

/** A cited article the agent never retrieved: made up, or planted in the customer's text. */
function unretrievedCitation(state: State): string | undefined {
  const technical = state.input.technical;
  if (technical?.article == null) return undefined;
  return technical.retrieved.includes(technical.article) ? undefined : technical.article;
}

/**
 * Drafts a support reply and checks it: draft → validate → review (a rules-only
 * route: hand off, issue the refund, or reply). Used as a step by support_triage
 * and callable on its own (an MCP tool like any workflow); pure, it writes nothing.
 */
export function createDraftReply() {
  return defineWorkflow({
    name: "draft_reply",
    title: "Draft a support reply",
    description:
      "Draft a reply to a support message from its intent, the customer and what earlier steps found (a refund check, a technical answer), check the draft (greeting, name, placeholders, amounts, promises) and say what should happen: reply, issue the refund, or hand off to a person. Writes nothing.",
    version: "1.0.0",
    input: DraftReplyInput,
    output: DraftReplyOutput,
    state: Fields,
  })
    .step("write_draft", {
      run: (state) => ({
        draft: draftReply(state.input.intent, state.input.customer as Customer, {
          refund: refundOf(state),
          technical: state.input.technical ?? undefined,
        }),
      }),
      next: "validate_draft",
    })
    .step("validate_draft", {
      run: (state) => ({
        problems: checkDraft(
          state.draft ?? "",
          state.input.customer as Customer,
          refundOf(state),
          state.input.intent,
        ),
      }),
      next: "review_draft",
    })
    .route("review_draft", {
      branches: {
        hand_off: { description: "the draft failed its checks or needs a person", to: "finish" },
        refund: { description: "an eligible refund to issue", to: "finish" },
        reply: { description: "send the reply", to: "finish" },
      },
      rules: [
        {
          name: "draft_has_problems",
          when: (state) => (state.problems ?? []).length > 0,
          branch: "hand_off",
          reason: (state) => `the draft failed its rule checks: ${state.problems?.join(", ")}`,
        },
        {
          name: "agent_escalated",
          when: (state) => state.input.technical?.resolution === "escalate",
          branch: "hand_off",
          reason: "the technical agent could not solve it and asks for a person",
        },
        {
          // Issue 16: an "article" pasted into the customer's message is not the help centre.
          name: "citation_not_retrieved",
          when: (state) => unretrievedCitation(state) !== undefined,
          branch: "hand_off",
          reason: (state) =>
            `the answer cites ${unretrievedCitation(state)}, which the agent never got from search_help_center`,
        },
        {
          name: "eligible_refund",
          when: (state) => state.input.intent === "refund" && state.input.refund?.eligible === true,
          branch: "refund",
          reason: "the refund policy allows this refund",
        },
        {
          // The log says why no refund is issued, not only the reply (issue #11 item 9).
          name: "refund_declined_by_policy",
          when: (state) =>
            state.input.intent === "refund" && state.input.refund?.eligible === false,
          branch: "reply",
          reason: (state) =>
            `the refund policy declines this refund: ${state.input.refund?.reason}`,
        },
      ],
      decider: null,
      defaultBranch: "reply",
    })
    .step("finish", {
      run: (state) => {
        const choice = state.routes.review_draft;
        return {
          output: {
            verdict: (choice?.branch ?? "hand_off") as DraftReplyOutput["verdict"],
            reason: choice?.reason ?? "the draft was not reviewed",
            draft: state.draft ?? "",
            problems: state.problems ?? [],
          },
        };
      },
    })
    .compile();
}
