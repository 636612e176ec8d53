import { ErrorCode, SignalboxError } from "../errors.ts";
import type { RunStore } from "../store/types.ts";

/** The shortest prefix that names a run, like git's short commit ids. */
export const MIN_PREFIX_LENGTH = 6;
const SHOWN_MATCHES = 10;

/**
 * The full id of the run `text` names: the id itself, or a unique prefix of at
 * least {@link MIN_PREFIX_LENGTH} characters.
 * @throws SignalboxError RUN_NOT_FOUND; INPUT_INVALID listing the matches of an ambiguous prefix
 */
export async function resolveRunId(store: RunStore, text: string): Promise<string> {
  if ((await store.getRun(text)) !== undefined) return text;
  const notFound = (hint: string) =>
    new SignalboxError(ErrorCode.RunNotFound, `no run with id "${text}"${hint}`, {
      data: { runId: text },
    });
  if (text.length < MIN_PREFIX_LENGTH)
    throw notFound(
      ` (a short id needs at least ${MIN_PREFIX_LENGTH} characters; see signalbox runs)`,
    );
  const matches = await store.listRuns({ idPrefix: text, limit: SHOWN_MATCHES + 1 });
  const [only] = matches;
  if (only === undefined) throw notFound("");
  if (matches.length === 1) return only.id;
  const listed = matches
    .slice(0, SHOWN_MATCHES)
    .map((run) => `  ${run.id}  ${run.status}  ${run.workflow}  ${run.createdAt}`);
  if (matches.length > SHOWN_MATCHES) listed.push("  …");
  throw new SignalboxError(
    ErrorCode.InputInvalid,
    `the run id prefix "${text}" is ambiguous; it matches:\n${listed.join("\n")}\ngive more characters`,
    { data: { matches: matches.map((run) => run.id) } },
  );
}
