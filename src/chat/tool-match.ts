import type { ToolDefinition } from "@langchain/core/language_models/base";

/** How well one tool matches a request. */
export interface ToolScore {
  readonly name: string;
  readonly score: number;
}

const STOP_WORDS = new Set(
  "the and for you your our with this that have has had not but are was were will would can could should from they them their what when where which who why how all any some just also been into about out over than then there these those very want need please like get got its it's i'm did does doing".split(
    " ",
  ),
);

/** Everyday words for what workflow descriptions say more formally. */
const SYNONYMS: Readonly<Record<string, string>> = {
  money: "refun",
  reimb: "refun",
  charg: "billi",
  invoi: "billi",
  broke: "techn",
  error: "techn",
  crash: "techn",
  compl: "custo",
};

/** Content words cut to five letters, a cheap stem ("refunds" and "refund" meet). */
export function stems(text: string): Set<string> {
  const words = text.toLowerCase().match(/[a-z]{3,}/g) ?? [];
  const result = new Set<string>();
  for (const word of words) {
    if (STOP_WORDS.has(word)) continue;
    const stem = word.slice(0, 5);
    result.add(stem);
    const synonym = SYNONYMS[stem];
    if (synonym !== undefined) result.add(synonym);
  }
  return result;
}

function vocabulary(tool: ToolDefinition): Set<string> {
  const properties = (tool.function.parameters as { properties?: Record<string, unknown> })
    .properties;
  const fields = Object.entries(properties ?? {})
    .filter(([key]) => key !== "rationale")
    .map(([key, value]) => `${key} ${String((value as { description?: unknown }).description)}`);
  const name = tool.function.name.replaceAll(/[_-]+/g, " ");
  return stems(`${name} ${tool.function.description ?? ""} ${fields.join(" ")}`);
}

/**
 * Scores tools by the share of the request's content words their name,
 * description and field descriptions contain; naming a tool scores 1. Best first.
 */
export function scoreTools(request: string, tools: readonly ToolDefinition[]): ToolScore[] {
  const asked = stems(request);
  const lowered = request.toLowerCase();
  return tools
    .map((tool) => {
      const name = tool.function.name.toLowerCase();
      if (lowered.includes(name) || lowered.includes(name.replaceAll("_", " ")))
        return { name: tool.function.name, score: 1 };
      const known = vocabulary(tool);
      const shared = [...asked].filter((stem) => known.has(stem)).length;
      return { name: tool.function.name, score: asked.size === 0 ? 0 : shared / asked.size };
    })
    .sort((left, right) => right.score - left.score);
}
