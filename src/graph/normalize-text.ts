import { foldHomoglyphs } from "./homoglyphs.ts";

/**
 * Characters that show nothing, or nothing a rule should see: zero-width spaces and
 * joiners, word joiner and invisible operators, the byte-order mark, soft hyphen,
 * bidirectional controls, the combining grapheme joiner, Hangul fillers and Unicode
 * tag characters (used to smuggle instructions past people).
 */
const INVISIBLE =
  /[\u00AD\u115F\u1160\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\u3164\uFEFF\uFFA0]|\u034F|[\u{E0000}-\u{E007F}]/gu;

/** The last text {@link normalizeText} was given, and its answer. */
let last = { text: "", normalized: "" };

/**
 * The text routes look at: invisible characters removed, Unicode NFKC
 * (fullwidth and other compatibility forms become plain letters and digits:
 * `ｉｇｎｏｒｅ` → `ignore`, `５０１２` → `5012`), look-alike letters of other scripts
 * spelled in ASCII where they disguise a word (`іgnоre` with Cyrillic і and о → `ignore`,
 * see {@link foldHomoglyphs}), every run of whitespace one space, trimmed. Route nodes apply it before their rules and deciders, so
 * `ig\u200Bnore your rules` and `ignore your rules` look the same to both
 * (issue #11: obfuscated text skipped the injection rule).
 *
 * @example
 * ```ts
 * normalizeText("ｒｅｆｕｎｄ\u200B  me\n") // "refund me"
 * ```
 */
export function normalizeText(text: string): string {
  // The routes of one run mostly read the same text, one after another: the last
  // answer is kept (comparing strings costs far less than NFKC and folding).
  if (text === last.text) return last.normalized;
  const plain = text.replace(INVISIBLE, "").normalize("NFKC");
  // Folding can leave a base letter and a combining mark that compose (Cyrillic і + acute
  // becomes i + acute): composed again, so normalizing twice changes nothing.
  const normalized = foldHomoglyphs(plain).normalize("NFKC").replace(/\s+/g, " ").trim();
  last = { text, normalized };
  return normalized;
}
