import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { z } from "zod";
import { ErrorCode, SignalboxError } from "../errors.ts";
import { parseWith } from "../validation.ts";

const FORMAT = "signalbox-llm-fixture/1";

const RecordedReply = z.object({
  /** The last message of the request, for people reading the file. */
  request: z.string(),
  status: z.number().int(),
  contentType: z.string(),
  body: z.unknown(),
});
type RecordedReply = z.infer<typeof RecordedReply>;

const FixtureFile = z.object({
  format: z.literal(FORMAT),
  replies: z.record(z.string(), RecordedReply),
});

/** Whether a fixture is being written from a live model or read instead of one. */
export type FixtureMode = "record" | "replay";

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
  );
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The key of a request: a hash of its JSON body with keys sorted, so formatting does not matter. */
export function requestKey(body: string): string {
  const text = JSON.stringify(canonical(parseBody(body)));
  return createHash("sha256").update(text).digest("hex").slice(0, 32);
}

function excerpt(body: unknown): string {
  const messages = (body as { messages?: { content?: unknown }[] } | null)?.messages;
  const last = Array.isArray(messages) ? messages.at(-1)?.content : undefined;
  const text = typeof last === "string" ? last : JSON.stringify(last ?? body);
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

function bodyText(init: RequestInit | undefined): string {
  const body = init?.body;
  return typeof body === "string" ? body : body === undefined || body === null ? "" : String(body);
}

/**
 * LLM replies on file, keyed by request: in `record` mode every answer of the real
 * model passes through and is kept (errors worth retrying are not); in `replay`
 * mode the file answers instead of the model, so a suite runs offline and
 * deterministically. A request the file has no reply for gets HTTP 404 and is
 * counted in `misses`: the prompt, branches or model changed, so record again.
 */
export class ReplyFixture {
  /** Requests answered from the file (replay) or written to it (record). */
  hits = 0;
  /** Replay requests the file had no reply for. */
  misses = 0;

  private constructor(
    readonly path: string,
    readonly mode: FixtureMode,
    private readonly replies: Map<string, RecordedReply>,
  ) {}

  /**
   * Opens a fixture; replaying needs the file, recording adds to it when it exists.
   * @throws SignalboxError CONFIG_INVALID when a replay fixture is missing or malformed
   */
  static async open(path: string, mode: FixtureMode): Promise<ReplyFixture> {
    if (!existsSync(path)) {
      if (mode === "record") return new ReplyFixture(path, mode, new Map());
      throw new SignalboxError(
        ErrorCode.ConfigInvalid,
        `no recorded replies at ${path}: record them once with a real model (signalbox eval <suite> --record)`,
      );
    }
    const raw = JSON.parse(await readFile(path, "utf8")) as unknown;
    const file = parseWith(FixtureFile, raw, ErrorCode.ConfigInvalid, `fixture ${path}`);
    return new ReplyFixture(path, mode, new Map(Object.entries(file.replies)));
  }

  /** Recorded replies. */
  get size(): number {
    return this.replies.size;
  }

  /** A `fetch` for the OpenAI client that records or replays through this fixture. */
  fetch(upstream: typeof fetch = globalThis.fetch): typeof fetch {
    return async (input, init) => {
      const text = bodyText(init);
      const key = requestKey(text);
      if (this.mode === "replay") return this.replay(key);
      const response = await upstream(input, init);
      if (response.status >= 500 || response.status === 429) return response;
      const answer = await response.text();
      const contentType = response.headers.get("content-type") ?? "application/json";
      this.replies.set(key, {
        request: excerpt(parseBody(text)),
        status: response.status,
        contentType,
        body: contentType.includes("json") ? parseBody(answer) : answer,
      });
      this.hits += 1;
      return new Response(answer, {
        status: response.status,
        headers: { "content-type": contentType },
      });
    };
  }

  private replay(key: string): Response {
    const reply = this.replies.get(key);
    if (reply === undefined) {
      this.misses += 1;
      const message = `replay miss: ${this.path} has no recorded reply for this request; the prompt, branches or model changed, so record again with --record`;
      return Response.json(
        { error: { message, type: "replay_miss", code: "replay_miss" } },
        { status: 404 },
      );
    }
    this.hits += 1;
    const text = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
    return new Response(text, {
      status: reply.status,
      headers: { "content-type": reply.contentType },
    });
  }

  /** Writes the replies (record mode), sorted by key so re-recording gives small diffs. */
  async save(): Promise<void> {
    if (this.mode !== "record") return;
    const replies = Object.fromEntries(
      [...this.replies].sort(([left], [right]) => left.localeCompare(right)),
    );
    await mkdir(dirname(this.path), { recursive: true });
    await writeFile(this.path, `${JSON.stringify({ format: FORMAT, replies }, null, 2)}\n`);
  }
}
