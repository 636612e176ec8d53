import { ErrorCode, SignalboxError } from "../errors.ts";

/** Which model to use, named one way everywhere (env, CLI flag, node option). */
export type ModelSpec =
  | { readonly provider: "offline"; readonly id: "offline" }
  | { readonly provider: "openai"; readonly model: string; readonly id: string }
  | {
      readonly provider: "openai-compatible";
      readonly model: string;
      readonly baseURL: string;
      readonly id: string;
    };

/**
 * What `z.url({ protocol: /^https?$/ })` accepts (`http://` or `https://`, then a URL
 * `new URL()` parses), checked without zod: the CLI parses model names at start-up,
 * where importing zod would double its cost (issue 10).
 */
const isHttpUrl = (text: string) => /^https?:\/\//i.test(text.trim()) && URL.canParse(text.trim());

/**
 * Parses a model name: `offline`, `openai:<model>` (e.g. `openai:gpt-4.1-mini`), or
 * `openai-compatible:<model>@<baseURL>` (e.g. `openai-compatible:llama3.1@http://localhost:11434/v1`).
 * @throws SignalboxError CONFIG_INVALID saying which forms are accepted
 */
export function parseModelSpec(text: string, source = "model"): ModelSpec {
  const value = text.trim();
  const fail = (why: string): never => {
    throw new SignalboxError(
      ErrorCode.ConfigInvalid,
      `${source} "${text}" is invalid: ${why}. Expected "offline", "openai:<model>" or "openai-compatible:<model>@<baseURL>".`,
    );
  };
  if (value === "offline") return { provider: "offline", id: "offline" };
  if (value.startsWith("openai:")) {
    const model = value.slice("openai:".length);
    if (model === "") fail("the model name is empty");
    return { provider: "openai", model, id: value };
  }
  if (value.startsWith("openai-compatible:")) {
    const rest = value.slice("openai-compatible:".length);
    const at = rest.indexOf("@");
    if (at <= 0) fail("expected <model>@<baseURL>");
    const model = rest.slice(0, at);
    const baseURL = rest.slice(at + 1);
    if (!isHttpUrl(baseURL)) fail(`baseURL "${baseURL}": expected an http(s) URL`);
    return { provider: "openai-compatible", model, baseURL, id: value };
  }
  return fail("unknown provider");
}
