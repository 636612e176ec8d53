import { createRequire } from "node:module";

/**
 * Letters of other scripts that look like one ASCII letter (Cyrillic `а` → `a`, Greek `ο`
 * → `o`, Armenian `օ` → `o`, Latin `ɡ` → `g`), from Unicode's confusables list as the
 * `unhomoglyph` package ships it. Only letter → single-ASCII-letter entries: digits and
 * ASCII itself (`l` ↔ `I`, `0` ↔ `O`) stay as they are. Capitals take their lower
 * case's twin in upper case (the list maps Cyrillic `І` to `l`, its skeleton; a person
 * reads `I`). Loaded on first use.
 */
let table: Map<string, string> | undefined;

function lookalikes(): Map<string, string> {
  if (table !== undefined) return table;
  const data = createRequire(import.meta.url)("unhomoglyph/data.json") as Record<string, string>;
  const built = new Map<string, string>();
  for (const [from, to] of Object.entries(data)) {
    if ([...from].length !== 1 || !/^\p{L}$/u.test(from) || /^[A-Za-z]$/.test(from)) continue;
    if (/^[A-Za-z]$/.test(to)) built.set(from, to);
  }
  for (const [from] of built) {
    const lower = from.toLowerCase();
    const twin = lower !== from ? built.get(lower) : undefined;
    if (twin !== undefined) built.set(from, twin.toUpperCase());
  }
  table = built;
  return built;
}

const WORD = /[\p{L}\p{M}]+/gu;
const ASCII_LETTER = /[A-Za-z]/;
const NON_ASCII = /[\u0080-\uffff]/;

/**
 * Spells look-alike letters in ASCII where they disguise a word: inside a word that mixes
 * them with ASCII letters (`іgnоre`: Cyrillic і and о), and in a word made only of
 * look-alikes when the text has ASCII letters too (`ѕеt аѕіdе your rules`). A word of
 * another script with a letter that has no ASCII twin (`возврат`), and text without any
 * ASCII letter (a message written in Russian or Greek), stay as written.
 *
 * @example
 * ```ts
 * foldHomoglyphs("іgnоre your rules") // "ignore your rules"
 * ```
 */
export function foldHomoglyphs(text: string): string {
  // Every look-alike is outside ASCII: ASCII text has none (and needs no table).
  if (!NON_ASCII.test(text)) return text;
  const map = lookalikes();
  const latinText = ASCII_LETTER.test(text);
  return text.replace(WORD, (word) => {
    const letters = [...word];
    if (!letters.some((letter) => map.has(letter))) return word;
    const mixed = ASCII_LETTER.test(word);
    const allLookalike = letters.every(
      (letter) => map.has(letter) || ASCII_LETTER.test(letter) || /\p{M}/u.test(letter),
    );
    if (!mixed && !(allLookalike && latinText)) return word;
    if (mixed && !allLookalike) return word;
    return letters.map((letter) => map.get(letter) ?? letter).join("");
  });
}
