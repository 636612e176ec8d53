/** What a person's message says about a pending approval. */
export type ApprovalIntent = "approve" | "reject" | undefined;

const APPROVE =
  /^(y|yes|yep|yeah|ok|okay|sure|approve[ds]?|approve it|go ahead|do it|confirm(ed)?|lgtm|yes,? (please|approve|go ahead|do it))[.!\s]*$/i;
const REJECT =
  /^(n|no|nope|reject(ed)?|reject it|deny|denied|decline[ds]?|don'?t|do not|stop|cancel|no,? (thanks|don'?t|reject))[.!\s]*$/i;

/**
 * Reads an explicit yes or no from a short message ("yes", "approve", "no",
 * "reject it"). Anything longer or vaguer is not an answer: approvals are a
 * person's act, so the chat never infers them from prose.
 */
export function approvalIntent(text: string): ApprovalIntent {
  const trimmed = text.trim();
  if (APPROVE.test(trimmed)) return "approve";
  if (REJECT.test(trimmed)) return "reject";
  return undefined;
}
