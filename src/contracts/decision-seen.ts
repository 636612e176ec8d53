import { createHash } from "node:crypto";
import { z } from "zod";

/** The most bytes (UTF-8 JSON) a decision's kept inputs take; the text is cut to fit (issue 17). */
export const SEEN_LIMIT_BYTES = 4096;

/** Appended to a text that was cut to fit {@link SEEN_LIMIT_BYTES}. */
export const TRUNCATED_MARKER = "…[truncated]";

/** Which kind of decider a route asked, with enough identity to ask a like one again. */
export const SeenDecider = z.object({
  /** `offline-classifier` (trained on the branches), `function`, `chat-model`, or `rules-only`. */
  kind: z.enum(["offline-classifier", "function", "chat-model", "rules-only"]),
  /** A hash of the offline classifier's training texts, or the chat model's name; null when unknown. */
  version: z.string().nullable(),
});
export type SeenDecider = z.infer<typeof SeenDecider>;

/**
 * What a route's decider saw when it decided, kept with the decision so the
 * question can be asked again later (another threshold, classifier or model)
 * without running the workflow again. Bounded to {@link SEEN_LIMIT_BYTES}.
 */
export const DecisionSeen = z.object({
  /** The normalised text the rules and the decider read (cut with {@link TRUNCATED_MARKER} when long). */
  text: z.string(),
  /** UTF-8 bytes of the whole text, before any cut. */
  textBytes: z.number().int().nonnegative(),
  truncated: z.boolean(),
  /** The declared branches, in order. */
  branches: z.array(z.string()),
  defaultBranch: z.string(),
  escalationBranch: z.string().nullable(),
  /** Below this confidence the route escalates; null when it never does. */
  minConfidence: z.number().nullable(),
  /** The cascade's classifier threshold, when an LLM tier was there to ask below it; else null. */
  threshold: z.number().nullable(),
  decider: SeenDecider,
  /** The rule that decided, when one did. */
  rule: z.string().nullable(),
  /** The branch the decider answered before the minimum confidence sent it to escalation; null when none. */
  proposed: z.string().nullable(),
});
export type DecisionSeen = z.infer<typeof DecisionSeen>;

/** What {@link describeSeen} needs: everything but the text's size bookkeeping. */
export type SeenParts = Omit<DecisionSeen, "textBytes" | "truncated">;

const byteLength = (text: string) => Buffer.byteLength(text, "utf8");

/**
 * Builds the kept inputs of one decision, cutting the text (never the rest) so
 * that the JSON stays within `limit` bytes.
 */
export function describeSeen(parts: SeenParts, limit = SEEN_LIMIT_BYTES): DecisionSeen {
  const textBytes = byteLength(parts.text);
  const whole: DecisionSeen = { ...parts, textBytes, truncated: false };
  if (jsonBytesAtMost(whole) <= limit || byteLength(JSON.stringify(whole)) <= limit) return whole;
  const cutAt = (length: number): DecisionSeen => ({
    ...whole,
    text: `${parts.text.slice(0, length)}${TRUNCATED_MARKER}`,
    truncated: true,
  });
  // The longest prefix that fits: JSON escapes and multi-byte characters make bytes uneven.
  let low = 0;
  let high = parts.text.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (byteLength(JSON.stringify(cutAt(middle))) <= limit) low = middle;
    else high = middle - 1;
  }
  return cutAt(low);
}

/** Room for the keys, punctuation, numbers and booleans of a {@link DecisionSeen}'s JSON. */
const SEEN_FRAME_BYTES = 512;

/**
 * An upper bound of `byteLength(JSON.stringify(seen))` that serialises nothing: a
 * UTF-16 unit takes at most 6 bytes in JSON (`\u001f`), a string adds its quotes and a
 * comma. Most decisions fit well within the limit, and this tells so without the JSON.
 */
function jsonBytesAtMost(seen: DecisionSeen): number {
  let units = seen.text.length + seen.defaultBranch.length;
  units += (seen.escalationBranch?.length ?? 0) + (seen.decider.version?.length ?? 0);
  units += (seen.rule?.length ?? 0) + (seen.proposed?.length ?? 0);
  let strings = 6;
  for (const branch of seen.branches) {
    units += branch.length;
    strings += 1;
  }
  return SEEN_FRAME_BYTES + 6 * units + 3 * strings;
}

/** A short, stable hash of what an offline classifier is trained on: its version in the log. */
export function trainingFingerprint(
  branches: readonly { name: string; description: string; examples: readonly string[] }[],
  extra: readonly { label: string; text: string }[] = [],
): string {
  const trained = extra.length === 0 ? branches : { branches, extra };
  const hash = createHash("sha256").update(JSON.stringify(trained)).digest("hex");
  return `lexical:${hash.slice(0, 12)}`;
}
