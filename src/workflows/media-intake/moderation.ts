import type { BranchSpec, RouteRule } from "../../graph/types.ts";
import type { ImageTags } from "./image-tags.ts";

/** Where moderation sends an image. */
export const MODERATION_BRANCHES = {
  publish: {
    description:
      "an ordinary photo that is safe to publish: landscape, nature, sky, sea, food, product, building, animal, plant, pattern",
    examples: [
      "sunset over the sea orange sky landscape",
      "green forest with trees in the morning",
      "a bowl of fruit on a kitchen table",
      "snow covered mountains under a blue sky",
      "city skyline with buildings at dusk",
      "close up of a flower in a garden",
      "abstract pattern of coloured stripes",
      "product photo of a teapot on white background",
    ],
    to: "publish",
  },
  review: {
    description:
      "a person must look before it is published: people, faces, crowds, documents, screens, text, signs, symbols, anything sensitive or unclear",
    examples: [
      "portrait of a person smiling",
      "group photo of people at a party",
      "screenshot of a chat with names",
      "photo of a letter with an address",
      "protest crowd holding signs",
      "medical scan",
    ],
    to: "review",
  },
  reject: {
    description: "never published: explicit, violent or illegal content",
    examples: ["graphic violence with blood", "explicit adult content"],
    to: "reject",
  },
} as const satisfies Record<string, BranchSpec>;

/** What moderation reads: caption and tags. */
export interface ModerationSubject {
  readonly input: { readonly caption?: string };
  readonly tags?: ImageTags;
}

const BLOCKED = /\b(nsfw|gore|explicit|nude|nudity|beheading|porn)\b/;
const PERSONAL_DATA =
  /\b(passport|id card|identity card|licen[cs]e plate|credit card|boarding pass|face|faces|child|children|kid|kids|selfie)\b/;
/** Below this luminance deviation an image is nearly one colour. */
export const BLANK_CONTRAST = 0.02;

/** The rules, first match wins; the classifier (then the LLM, when configured) decides the rest. */
export const MODERATION_RULES: readonly RouteRule<ModerationSubject>[] = [
  {
    name: "blocked_terms",
    when: (_state, text) => BLOCKED.test(text),
    branch: "reject",
    reason: "the caption or file name names content we never publish",
  },
  {
    name: "personal_data",
    when: (_state, text) => PERSONAL_DATA.test(text),
    branch: "review",
    reason:
      "the caption or file name suggests people or personal data: a person checks consent and privacy",
  },
  {
    name: "blank_image",
    when: (state) => (state.tags?.contrast ?? 1) < BLANK_CONTRAST,
    branch: "review",
    reason: (state) =>
      `the image is nearly uniform (luminance deviation ${state.tags?.contrast} < ${BLANK_CONTRAST}): a person checks it is what was meant`,
  },
];

/** The text rules and classifiers read: the caption, then the tags. */
export function moderationText(state: ModerationSubject): string {
  return [state.input.caption ?? "", ...(state.tags?.tags ?? [])].join(" ");
}
