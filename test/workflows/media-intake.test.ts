import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Runtime } from "../../src/runtime/runtime.ts";
import type { RunRecord } from "../../src/store/types.ts";
import { createBuiltinWorkflows } from "../../src/workflows/index.ts";
import { MANIFEST_FILE, PUBLISH_LOG } from "../../src/workflows/media-intake/publish-folder.ts";
import { REPO_ROOT, spawnTs } from "../fixtures/child-process.ts";
import { openTestRuntime, tempHome } from "../support/runtime.ts";

const SAMPLES = join(REPO_ROOT, "examples/media");
const CAPTIONS = JSON.parse(readFileSync(join(SAMPLES, "captions.json"), "utf8")) as Record<
  string,
  string
>;
const sampleFiles = () =>
  readdirSync(SAMPLES)
    .filter((file) => /\.(jpg|png|webp|gif|avif)$/.test(file))
    .sort();

/** What moderation does with each shipped sample, and why. */
const EXPECTED: Record<
  string,
  { status: "succeeded" | "waiting"; rule?: string; decidedBy: string }
> = {
  "abstract-stripes.gif": { status: "succeeded", decidedBy: "classifier" },
  "beach-with-location.jpg": { status: "succeeded", decidedBy: "classifier" },
  "blank-wall.png": { status: "waiting", rule: "blank_image", decidedBy: "rule" },
  "city-skyline.png": { status: "succeeded", decidedBy: "classifier" },
  "fruit-bowl.jpg": { status: "succeeded", decidedBy: "classifier" },
  "green-forest.jpg": { status: "succeeded", decidedBy: "classifier" },
  "night-sky.webp": { status: "waiting", decidedBy: "classifier" },
  "passport-scan.jpg": { status: "waiting", rule: "personal_data", decidedBy: "rule" },
  "snowy-mountains.png": { status: "succeeded", decidedBy: "classifier" },
  "sunset-over-sea.jpg": { status: "succeeded", decidedBy: "classifier" },
  "team-selfie.jpg": { status: "waiting", rule: "personal_data", decidedBy: "rule" },
  "untitled-upload.avif": { status: "waiting", decidedBy: "classifier" },
};

let home: string;
let cleanup: () => void;
let runtime: Runtime;
const published = () => join(home, "media", "published");
const runs = new Map<string, RunRecord>();

beforeAll(async () => {
  ({ home, cleanup } = tempHome("signalbox-media-"));
  ({ runtime } = openTestRuntime(home, createBuiltinWorkflows({ home })));
  for (const file of sampleFiles())
    runs.set(
      file,
      await runtime.start("media_intake", { path: join(SAMPLES, file), caption: CAPTIONS[file] }),
    );
}, 120_000);

afterAll(async () => {
  await runtime?.close();
  cleanup();
});

describe("media_intake on every shipped sample (real sharp)", () => {
  it("ships twelve samples and takes each one in as moderation says", async () => {
    expect(sampleFiles()).toEqual(Object.keys(EXPECTED));
    for (const [file, expected] of Object.entries(EXPECTED)) {
      const run = runs.get(file) as RunRecord;
      expect({ file, status: run.status }).toEqual({ file, status: expected.status });
      const { decisions } = await runtime.get(run.id);
      const moderation = decisions.find((decision) => decision.node === "moderate");
      expect({ file, decidedBy: moderation?.decidedBy }).toEqual({
        file,
        decidedBy: expected.decidedBy,
      });
      if (expected.rule) expect(moderation?.reason).toContain(`rule "${expected.rule}"`);
      expect(decisions.map((decision) => decision.node)).toContain("moderate");
    }
  });

  it("publishes WebP and AVIF variants no wider than the original, without EXIF or GPS, and a manifest", async () => {
    for (const [file, expected] of Object.entries(EXPECTED)) {
      if (expected.status !== "succeeded") continue;
      const output = (runs.get(file) as RunRecord).output as {
        status: string;
        id: string;
        published: { folder: string; files: string[] };
        variants: { file: string; format: string; width: number }[];
        tags: string[];
      };
      expect(output.status).toBe("published");
      const source = await sharp(join(SAMPLES, file)).metadata();
      const widths = [1600, 800, 320].filter((width) => width <= (source.width ?? 0));
      expect(output.variants.map((variant) => `${variant.width}.${variant.format}`)).toEqual(
        widths.flatMap((width) => [`${width}.webp`, `${width}.avif`]),
      );
      const folder = join(published(), output.id);
      expect(readdirSync(folder).sort()).toEqual([...output.published.files].sort());
      for (const variant of output.variants) {
        const meta = await sharp(join(folder, variant.file)).metadata();
        expect(meta.format).toBe(variant.format === "avif" ? "heif" : "webp");
        expect(meta.width).toBe(variant.width);
        expect(meta.exif).toBeUndefined();
      }
      const manifest = JSON.parse(readFileSync(join(folder, MANIFEST_FILE), "utf8"));
      expect(manifest).toMatchObject({
        id: output.id,
        caption: CAPTIONS[file],
        moderation: { branch: "publish" },
      });
      expect(output.tags).toContain(
        source.width === source.height
          ? "square"
          : (source.width ?? 0) > (source.height ?? 0)
            ? "landscape"
            : "portrait",
      );
    }
    // The sample with a camera's EXIF and GPS block had it; no variant kept it.
    expect((await sharp(join(SAMPLES, "beach-with-location.jpg")).metadata()).exif).toBeDefined();
  });

  it("tags offline from caption, file name and pixels: orientation, colour, brightness", async () => {
    const output = (runs.get("green-forest.jpg") as RunRecord).output as { tags: string[] };
    expect(output.tags).toEqual(expect.arrayContaining(["forest", "green", "morning", "portrait"]));
    expect(output.tags.some((tag) => ["dark", "medium", "bright"].includes(tag))).toBe(true);
  });
});

describe("moderation escalation and approval", () => {
  it("escalates an unsure classifier to a person, logging why, and publishes once approved", async () => {
    const run = runs.get("untitled-upload.avif") as RunRecord;
    const { decisions, approvals } = await runtime.get(run.id);
    const moderation = decisions.find((decision) => decision.node === "moderate");
    expect(moderation).toMatchObject({ choice: "review" });
    expect(moderation?.reason).toMatch(/offline classifier/);
    expect(approvals[0]).toMatchObject({ node: "review", status: "pending" });
    expect(approvals[0]?.message).toContain("untitled-upload.avif");
    const approved = await runtime.approve(run.id, { by: "editor", comment: "abstract art, fine" });
    expect(approved).toMatchObject({ status: "succeeded", output: { status: "published" } });
    const id = (approved.output as { id: string }).id;
    expect(existsSync(join(published(), id, MANIFEST_FILE))).toBe(true);
  });

  it("rejects what the reviewer rejects, saying so, and publishes nothing", async () => {
    const run = runs.get("passport-scan.jpg") as RunRecord;
    const rejected = await runtime.approve(run.id, {
      decision: "rejected",
      by: "editor",
      comment: "personal data",
    });
    expect(rejected.output).toMatchObject({
      status: "rejected",
      published: null,
      reason: "review rejected: personal data",
    });
    const id = (rejected.output as { id: string }).id;
    expect(existsSync(join(published(), id))).toBe(false);
  });
});

describe("bad uploads fail clearly", () => {
  it("a truncated JPEG, a text file named .jpg and a tiny image each fail with the reason", async () => {
    const bytes = readFileSync(join(SAMPLES, "sunset-over-sea.jpg"));
    const truncated = join(home, "truncated.jpg");
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 3)));
    const text = join(home, "notes.jpg");
    writeFileSync(text, "this is not an image");
    const tiny = join(home, "tiny.png");
    await sharp({ create: { width: 8, height: 8, channels: 3, background: "#fff" } })
      .png()
      .toFile(tiny);
    const failures = await Promise.all(
      [truncated, text, tiny].map((path) => runtime.start("media_intake", { path })),
    );
    expect(failures.map((run) => run.status)).toEqual(["failed", "failed", "failed"]);
    expect(failures[0]?.error).toContain("the image is corrupt or truncated");
    expect(failures[1]?.error).toContain(
      "not a JPEG, PNG, WebP, GIF or AVIF image (by its first bytes)",
    );
    expect(failures[2]?.error).toContain("8×8 px; sides from 16 to 12000 px are accepted");
  });
});

describe("dry-run", () => {
  it("shows the variants it would publish and publishes nothing", async () => {
    const { home: dryHome, cleanup: dryCleanup } = tempHome("signalbox-media-dry-");
    const dry = openTestRuntime(dryHome, createBuiltinWorkflows({ home: dryHome }));
    try {
      const run = await dry.runtime.start(
        "media_intake",
        { path: join(SAMPLES, "fruit-bowl.jpg"), caption: CAPTIONS["fruit-bowl.jpg"] },
        { dryRun: true },
      );
      const output = run.output as {
        status: string;
        published: { folder: string; files: string[] };
      };
      expect(run.status).toBe("succeeded");
      expect(output.status).toBe("would_publish");
      const variants = (run.output as { variants: { file: string }[] }).variants;
      expect(output.published.files).toEqual([
        ...variants.map((variant) => variant.file),
        MANIFEST_FILE,
      ]);
      expect(output.published.files).toContain(MANIFEST_FILE);
      expect(output.published.files.filter((file) => /-320\.(webp|avif)$/.test(file))).toHaveLength(
        2,
      );
      const publishDir = join(dryHome, "media", "published");
      expect(existsSync(publishDir) ? readdirSync(publishDir) : []).toEqual([]);
      const { effects } = await dry.runtime.get(run.id);
      expect(effects.map((effect) => [effect.node, effect.status])).toEqual([
        ["publish", "planned"],
      ]);
    } finally {
      await dry.runtime.close();
      dryCleanup();
    }
  });
});

describe("a crash between transform and publish", () => {
  it("publishes exactly once after a SIGKILL right before publish and recovery in another process", async () => {
    const { home: crashHome, cleanup: crashCleanup } = tempHome("signalbox-media-crash-");
    try {
      const fixture = join(REPO_ROOT, "test/fixtures/media-crash.ts");
      const image = join(SAMPLES, "sunset-over-sea.jpg");
      const killed = await spawnTs(fixture, ["die-before-publish", crashHome, image]).exited;
      expect(killed.signal).toBe("SIGKILL");
      const runId = killed.stdout.trim();
      const publishDir = join(crashHome, "media", "published");
      expect(existsSync(publishDir) ? readdirSync(publishDir) : []).toEqual([]);
      // Its lease runs out; recovery in a fresh process continues from the last checkpoint.
      await new Promise((resolve) => setTimeout(resolve, 1600));
      const recovered = await spawnTs(fixture, ["recover", crashHome]).exited;
      expect(recovered.code).toBe(0);
      const [run] = JSON.parse(recovered.stdout) as RunRecord[];
      expect(run).toMatchObject({
        id: runId,
        status: "succeeded",
        output: { status: "published" },
      });
      const log = readFileSync(join(publishDir, PUBLISH_LOG), "utf8").trim().split("\n");
      expect(log).toHaveLength(1);
      const id = (run?.output as { id?: string } | undefined)?.id;
      expect(JSON.parse(log[0] ?? "{}")).toMatchObject({ id });
      expect(readdirSync(publishDir).sort()).toEqual([id, PUBLISH_LOG].sort());
      const again = await spawnTs(fixture, ["recover", crashHome]).exited;
      expect(JSON.parse(again.stdout)).toEqual([]);
      expect(readFileSync(join(publishDir, PUBLISH_LOG), "utf8").trim().split("\n")).toHaveLength(
        1,
      );
    } finally {
      crashCleanup();
    }
  }, 60_000);
});
