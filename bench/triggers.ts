/**
 * Triggers and media_intake (issue 14), each against the bare libraries in this run:
 *
 * - webhook → first node: a signed Standard Webhooks delivery over a real socket until the
 *   workflow's first node starts. Ours: `serve`'s HTTP handler, the receiver (verify, map,
 *   validate), the delivery recorded with its run in SQLite (FULL), the driver. Bare: a
 *   node:http server verifying with `standardwebhooks` and invoking a one-node LangGraph
 *   graph, nothing stored.
 * - file → first node: a file written into a watched folder until the first node starts.
 *   Ours: FileWatcher (chokidar, the claim by rename, the run recorded). Bare: chokidar
 *   with the same write-finish settings invoking the one-node graph.
 * - images per second through media_intake (validate, tag, WebP+AVIF variants, moderate,
 *   publish) on the twelve samples, one at a time. Bare: the same sharp work called
 *   directly, without runs, checkpoints or the decision log.
 *
 * Run alone: BENCH_ONLY=triggers npm run bench
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { END, START, StateGraph, StateSchema } from "@langchain/langgraph";
import { watch } from "chokidar";
import { Webhook } from "standardwebhooks";
import { z } from "zod";
import type { CompiledWorkflow } from "../src/graph/workflow.ts";
import { defineWorkflow } from "../src/graph/workflow.ts";
import { WorkflowRegistry } from "../src/runtime/registry.ts";
import { Runtime } from "../src/runtime/runtime.ts";
import { startHttpServer } from "../src/server/http-server.ts";
import { SqliteRunStore } from "../src/store/sqlite-store.ts";
import { FileWatcher } from "../src/triggers/file-trigger.ts";
import { createWebhookReceiver } from "../src/triggers/webhook-receiver.ts";
import { createBuiltinWorkflows } from "../src/workflows/index.ts";
import { validateImage } from "../src/workflows/media-intake/image-checks.ts";
import { tagImage } from "../src/workflows/media-intake/image-tags.ts";
import { publishItem } from "../src/workflows/media-intake/publish-folder.ts";
import { makeVariants } from "../src/workflows/media-intake/variants.ts";
import { median } from "./measure.ts";

const WEBHOOKS = 40;
const FILES = 15;
const SAMPLES = join(fileURLToPath(new URL("../examples/media", import.meta.url)));
const SECRET = `whsec_${randomBytes(24).toString("base64")}`;
const WRITE_FINISH = { stabilityThreshold: 100, pollInterval: 25 };

const Ticket = z.object({ title: z.string() });

function oursWorkflow(): CompiledWorkflow {
  return defineWorkflow({
    name: "bench_ticket",
    description: "one step",
    version: "1",
    input: Ticket,
    output: z.object({ ok: z.boolean() }),
  })
    .step("first", { run: async () => ({ output: { ok: true } }) })
    .compile() as CompiledWorkflow;
}

/** A one-node LangGraph graph calling `onStart` as its node begins. */
function bareGraph(onStart: () => void) {
  const state = new StateSchema({ title: z.string(), ok: z.boolean().optional() });
  return new StateGraph(state)
    .addNode("first", () => {
      onStart();
      return { ok: true };
    })
    .addEdge(START, "first")
    .addEdge("first", END)
    .compile();
}

/** Resolves the next time `arm`'s callback is called. */
function nextSignal() {
  let resolve: () => void = () => undefined;
  return {
    wait: () =>
      new Promise<void>((done) => {
        resolve = done;
      }),
    fire: () => resolve(),
  };
}

function signedHeaders(body: string) {
  const id = `msg_${randomUUID()}`;
  const at = new Date();
  return {
    "content-type": "application/json",
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": new Webhook(SECRET).sign(id, at, body),
  };
}

async function timeDeliveries(
  url: string,
  signal: ReturnType<typeof nextSignal>,
): Promise<number[]> {
  const samples: number[] = [];
  for (let index = 0; index < WEBHOOKS + 3; index += 1) {
    const body = JSON.stringify({ title: `ticket ${index}` });
    const started = signal.wait();
    const sent = performance.now();
    const response = await fetch(url, { method: "POST", body, headers: signedHeaders(body) });
    if (response.status !== 202) throw new Error(`delivery answered ${response.status}`);
    await started;
    if (index >= 3) samples.push(performance.now() - sent);
  }
  return samples;
}

async function webhookOurs(scratch: string): Promise<number[]> {
  const runtime = new Runtime({
    store: new SqliteRunStore(join(scratch, "hooks.db")),
    workflows: new WorkflowRegistry([oursWorkflow()]),
  });
  const signal = nextSignal();
  runtime.onEvent((event) => {
    if (event.type === "node-start") signal.fire();
  });
  const webhooks = createWebhookReceiver(runtime, [
    { name: "tickets", workflow: "bench_ticket", secret: SECRET },
  ]);
  const server = await startHttpServer(runtime, { port: 0, webhooks });
  try {
    return await timeDeliveries(new URL("/hooks/tickets", server.url).toString(), signal);
  } finally {
    await server.close();
    await runtime.close();
  }
}

async function webhookBare(): Promise<number[]> {
  const signal = nextSignal();
  const graph = bareGraph(signal.fire);
  const webhook = new Webhook(SECRET);
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const input = webhook.verify(body, request.headers as Record<string, string>) as {
        title: string;
      };
      void graph.invoke({ title: input.title });
      response.writeHead(202, { "content-type": "application/json" });
      response.end(JSON.stringify({ runId: randomUUID() }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  try {
    return await timeDeliveries(`http://127.0.0.1:${port}/hooks/tickets`, signal);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

async function timeDrops(folder: string, signal: ReturnType<typeof nextSignal>): Promise<number[]> {
  const samples: number[] = [];
  for (let index = 0; index < FILES + 2; index += 1) {
    const started = signal.wait();
    const sent = performance.now();
    writeFileSync(join(folder, `drop-${index}.json`), `{"n":${index}}`);
    await started;
    if (index >= 2) samples.push(performance.now() - sent);
  }
  return samples;
}

async function filesOurs(scratch: string): Promise<number[]> {
  const runtime = new Runtime({
    store: new SqliteRunStore(join(scratch, "files.db")),
    workflows: new WorkflowRegistry([oursWorkflow()]),
  });
  const signal = nextSignal();
  runtime.onEvent((event) => {
    if (event.type === "node-start") signal.fire();
  });
  const folder = join(scratch, "inbox-ours");
  const watcher = new FileWatcher(
    runtime,
    { name: "inbox", workflow: "bench_ticket", folder, input: (file) => ({ title: file.name }) },
    { directory: scratch },
  );
  await watcher.start();
  try {
    return await timeDrops(folder, signal);
  } finally {
    await watcher.stop();
    await runtime.close();
  }
}

async function filesBare(scratch: string): Promise<number[]> {
  const signal = nextSignal();
  const graph = bareGraph(signal.fire);
  const folder = join(scratch, "inbox-bare");
  mkdirSync(folder, { recursive: true });
  const watcher = watch(folder, { depth: 0, ignoreInitial: true, awaitWriteFinish: WRITE_FINISH });
  watcher.on("add", (path) => void graph.invoke({ title: path }));
  await new Promise<void>((resolve) => watcher.once("ready", () => resolve()));
  try {
    return await timeDrops(folder, signal);
  } finally {
    await watcher.close();
  }
}

const imageFiles = () =>
  readdirSync(SAMPLES)
    .filter((file) => /\.(jpg|png|webp|gif|avif)$/.test(file))
    .sort();
const captions = () =>
  JSON.parse(readFileSync(join(SAMPLES, "captions.json"), "utf8")) as Record<string, string>;

async function imagesOurs(scratch: string): Promise<{ seconds: number; published: number }> {
  const home = join(scratch, "media-home");
  mkdirSync(home, { recursive: true });
  const runtime = new Runtime({
    store: new SqliteRunStore(join(home, "signalbox.db")),
    workflows: new WorkflowRegistry(createBuiltinWorkflows({ home })),
  });
  const started = performance.now();
  let published = 0;
  for (const file of imageFiles()) {
    const run = await runtime.start("media_intake", {
      path: join(SAMPLES, file),
      caption: captions()[file],
    });
    if (run.status === "succeeded") published += 1;
  }
  const seconds = (performance.now() - started) / 1000;
  await runtime.close();
  return { seconds, published };
}

/** The same sharp work, called directly: validate, tag, variants, publish every image. */
async function imagesBare(scratch: string): Promise<number> {
  const started = performance.now();
  for (const file of imageFiles()) {
    const image = await validateImage(join(SAMPLES, file));
    const tags = await tagImage(image.path, image, captions()[file]);
    const staging = join(scratch, "bare-staging", file);
    const variants = await makeVariants(image.path, {
      width: image.width,
      contentId: image.contentId,
      folder: staging,
    });
    await publishItem({
      publishDir: join(scratch, "bare-published"),
      stagingFolder: staging,
      manifest: {
        id: image.contentId,
        source: { name: file, type: image.type, width: image.width, height: image.height },
        caption: captions()[file] ?? null,
        tags: tags.tags,
        moderation: { branch: "publish", reason: "bare", decidedBy: "rule" },
        variants,
        runId: "bare",
        key: randomUUID(),
      },
    });
  }
  return (performance.now() - started) / 1000;
}

/** The triggers section: medians, ratios ours/bare, and a markdown table. */
export async function triggerBench(progress: (message: string) => void) {
  const scratch = mkdtempSync(join(tmpdir(), "signalbox-bench-triggers-"));
  try {
    progress(`webhook → first node, ${WEBHOOKS} deliveries each`);
    const hookBare = median(await webhookBare());
    const hookOurs = median(await webhookOurs(scratch));
    progress(`file → first node, ${FILES} files each`);
    const fileBare = median(await filesBare(scratch));
    const fileOurs = median(await filesOurs(scratch));
    progress("images through media_intake (12 samples)");
    const bareSeconds = await imagesBare(scratch);
    const ours = await imagesOurs(scratch);
    const count = imageFiles().length;
    const rows = [
      ["webhook → first node (median ms)", hookOurs, hookBare],
      ["file → first node (median ms)", fileOurs, fileBare],
      ["12 images through media_intake (s)", ours.seconds, bareSeconds],
    ] as const;
    const markdown = [
      "## Triggers and media_intake (BENCH_ONLY=triggers npm run bench)",
      "",
      "| measure | ours | bare | ours/bare |",
      "| --- | ---: | ---: | ---: |",
      ...rows.map(
        ([name, mine, bare]) =>
          `| ${name} | ${mine.toFixed(2)} | ${bare.toFixed(2)} | ${(mine / bare).toFixed(2)}× |`,
      ),
      "",
      `media_intake: ${(count / ours.seconds).toFixed(2)} images/s (${ours.published} published, the rest waiting for review), bare sharp work ${(count / bareSeconds).toFixed(2)} images/s.`,
    ].join("\n");
    return {
      webhookToFirstNodeMs: { ours: hookOurs, bare: hookBare, deliveries: WEBHOOKS },
      fileToFirstNodeMs: {
        ours: fileOurs,
        bare: fileBare,
        files: FILES,
        writeFinish: WRITE_FINISH,
      },
      mediaIntake: {
        images: count,
        seconds: { ours: ours.seconds, bare: bareSeconds },
        imagesPerSecond: { ours: count / ours.seconds, bare: count / bareSeconds },
        published: ours.published,
      },
      markdown,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
