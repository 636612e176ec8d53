import { join, resolve } from "node:path";
import { z } from "zod";
import type { WorkflowState } from "../../graph/types.ts";
import { defineWorkflow } from "../../graph/workflow.ts";
import { type ValidImage, validateImage } from "./image-checks.ts";
import { type ImageTags, tagImage } from "./image-tags.ts";
import { MODERATION_BRANCHES, MODERATION_RULES, moderationText } from "./moderation.ts";
import {
  type Manifest,
  type Placement,
  plannedPlacement,
  publishItem,
  unpublishItem,
} from "./publish-folder.ts";
import { makeVariants, type Variant } from "./variants.ts";

const APPROVAL_DEADLINE_MS = 3 * 86_400_000;

const Input = z.object({
  path: z
    .string()
    .trim()
    .min(1, "the path is empty")
    .max(4096)
    .describe("The image file to take in"),
  caption: z
    .string()
    .trim()
    .max(2000, "a caption has at most 2000 characters")
    .optional()
    .describe("What the image shows, in words"),
});

const VariantShape = z.object({
  file: z.string(),
  format: z.enum(["webp", "avif"]),
  width: z.number(),
  height: z.number(),
  bytes: z.number(),
});

const Output = z.object({
  status: z.enum(["published", "would_publish", "rejected"]),
  id: z.string(),
  tags: z.array(z.string()),
  moderation: z.object({ branch: z.string(), reason: z.string(), decidedBy: z.string() }),
  variants: z.array(VariantShape),
  /** Where the item is (or, in a dry-run, would be) published; null when rejected. */
  published: z.object({ folder: z.string(), files: z.array(z.string()) }).nullable(),
  reason: z.string().nullable(),
});

const Fields = {
  image: z.custom<ValidImage>(),
  tags: z.custom<ImageTags>(),
  variants: z.custom<Variant[]>(),
};

type State = WorkflowState<
  z.infer<typeof Input>,
  { [K in keyof typeof Fields]: z.infer<(typeof Fields)[K]> },
  z.infer<typeof Output>
>;

/** Where media_intake keeps its files. */
export interface MediaIntakeOptions {
  /** Variants waiting to be published, one folder per run. */
  readonly stagingDir: string;
  /** Published items: `<publishDir>/<id>/` with the variants and `manifest.json`. */
  readonly publishDir: string;
}

function moderationOf(state: State) {
  const route = state.routes.moderate;
  return {
    branch: route?.branch ?? "review",
    reason: route?.reason ?? "not moderated",
    decidedBy: route?.decidedBy ?? "default",
  };
}

function manifestOf(state: State, runId: string, key: string): Manifest {
  const image = state.image as ValidImage;
  return {
    id: image.contentId,
    source: {
      name: image.path.split("/").pop() ?? image.path,
      type: image.type,
      width: image.width,
      height: image.height,
    },
    caption: state.input.caption ?? null,
    tags: state.tags?.tags ?? [],
    moderation: moderationOf(state),
    variants: state.variants ?? [],
    runId,
    key,
  };
}

function output(
  state: State,
  status: z.infer<typeof Output>["status"],
  published: Placement | null,
  reason: string | null,
) {
  return {
    status,
    id: state.image?.contentId ?? "",
    tags: [...(state.tags?.tags ?? [])],
    moderation: moderationOf(state),
    variants: state.variants ?? [],
    published: published && { folder: published.folder, files: [...published.files] },
    reason,
  };
}

function rejectReason(state: State): string {
  const approval = state.approvals.review;
  if (approval && approval.status !== "approved")
    return `review ${approval.status}${approval.comment ? `: ${approval.comment}` : ""}`;
  return moderationOf(state).reason;
}

/**
 * media_intake: validate an uploaded image (magic bytes, size, dimensions, full
 * decode), tag it offline, make web variants (WebP and AVIF, metadata removed),
 * moderate it (rules → classifier → LLM when configured → a person when unsure),
 * ask for approval when flagged or uncertain, and publish the variants with a JSON
 * manifest (an idempotent write with undo; a dry-run publishes nothing).
 */
export function createMediaIntake(options: MediaIntakeOptions) {
  const stagingFolder = (runId: string) => join(options.stagingDir, runId);
  return defineWorkflow({
    name: "media_intake",
    title: "Media intake",
    description:
      "Take in an uploaded image: validate it, tag it, make web variants (1600/800/320 px WebP and AVIF without EXIF or GPS), moderate it (a person reviews flagged or uncertain images) and publish the variants with a JSON manifest.",
    version: "1.0.0",
    input: Input,
    output: Output,
    state: Fields,
  })
    .step("validate", {
      effect: "read",
      run: async (state) => ({ image: await validateImage(resolve(state.input.path)) }),
      next: "tag",
    })
    .step("tag", {
      effect: "read",
      run: async (state) => {
        const image = state.image as ValidImage;
        return { tags: await tagImage(image.path, image, state.input.caption) };
      },
      next: "transform",
    })
    .step("transform", {
      run: async (state, context) => {
        const image = state.image as ValidImage;
        const variants = await makeVariants(image.path, {
          width: image.width,
          contentId: image.contentId,
          folder: stagingFolder(context.runId),
        });
        return { variants };
      },
      next: "moderate",
    })
    .route("moderate", {
      branches: MODERATION_BRANCHES,
      text: moderationText,
      rules: MODERATION_RULES,
      defaultBranch: "review",
      escalationBranch: "review",
      minConfidence: 0.5,
    })
    .approval("review", {
      message: (state) =>
        `Publish ${state.input.path.split("/").pop()}${state.input.caption ? ` ("${state.input.caption}")` : ""}? Moderation: ${moderationOf(state).reason}`,
      details: (state) => ({
        path: state.input.path,
        caption: state.input.caption,
        tags: state.tags?.tags,
        moderation: moderationOf(state),
      }),
      deadlineMs: APPROVAL_DEADLINE_MS,
      on: {
        approved: "publish",
        rejected: "reject",
        changes_requested: "reject",
        expired: "reject",
      },
    })
    .step("publish", {
      effect: "write",
      describe: (state) => ({
        id: state.image?.contentId,
        folder: join(options.publishDir, state.image?.contentId ?? ""),
        files: (state.variants ?? []).map((variant) => variant.file),
      }),
      run: async (state, context) => {
        const placement = await publishItem({
          publishDir: options.publishDir,
          stagingFolder: stagingFolder(context.runId),
          manifest: manifestOf(state, context.runId, context.idempotencyKey),
        });
        return { output: output(state, "published", placement, null) };
      },
      preview: (state) => ({
        output: output(
          state,
          "would_publish",
          plannedPlacement(options.publishDir, {
            id: state.image?.contentId ?? "",
            variants: state.variants ?? [],
          }),
          null,
        ),
      }),
      undo: async (effect) => {
        const args = effect.args as { id?: string };
        if (args.id) await unpublishItem(options.publishDir, args.id, effect.key);
      },
    })
    .step("reject", {
      run: (state) => ({ output: output(state, "rejected", null, rejectReason(state)) }),
    })
    .compile();
}
