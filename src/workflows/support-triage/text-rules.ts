/**
 * What the support-triage rules look for in a message. Every pattern runs on the
 * route's normalised text (NFKC, invisible characters removed, look-alike letters of
 * other scripts spelled in ASCII, whitespace
 * collapsed: see normalizeText), never on the raw input.
 */

const LEGAL = /\b(lawyer|attorney|sue|suing|lawsuit|legal action|court)\b/i;
const CHARGEBACK =
  /\b(chargeback|charge back|dispute[ds]? (the|this) (charge|payment) with my bank)\b/i;

/**
 * Attempts to talk the system out of its rules, in a few languages, to claim an
 * approval nobody gave, or to smuggle a decision in.
 */
const INJECTION = [
  /\b(ignore|disregard|forget|override|bypass|circumvent|(set|put|push|cast) aside|ignoriere|vergiss|ignorez|oubliez|ignora|olvida)\b.{0,40}\b(rules?|instructions?|polic(y|ies)|prompts?|guidelines?|guardrails?|restrictions?|safeguards?|constraints?|regeln|anweisungen|richtlinien|règles|consignes|reglas|instrucciones|directrices)\b/i,
  /\b(system override|admin(istrator)? mode|developer mode|god mode|jailbreak|you are now|from now on you|pretend (you are|to be)|act as (an? )?(admin|administrator|manager|supervisor|bank))\b/i,
  // Claimed sign-off: "my manager already approved it", "this refund is pre-approved".
  /\b(manager|supervisor|admin(istrator)?|boss|director|ceo|owner|your (colleague|agent|team))\b.{0,40}\b(already|has|have|had)\b.{0,15}\b(approved|authori[sz]ed|signed off|okayed|ok'?d|cleared)\b/i,
  /\b(already|pre)[ -]?(approved|authori[sz]ed|cleared)\b/i,
  /\bno (approval|authori[sz]ation|verification|review) (is )?(needed|required|necessary)\b/i,
  /\b(policy|approval)\s*=\s*\w+/i,
  /["']?\b(branch|decidedBy|confidence)\b["']?\s*:/,
];
/** Database-injection shapes: nobody writing to support needs these. */
const SQL_INJECTION = /(;\s*drop\s+table|'\s*or\s*'?1'?\s*=\s*'?1|\bunion\s+select\b)/i;

const MONEY_BACK = "(refunds?|refunded|reimburse(ment|d)?|(my |the )?money back)";
/** "a refund", "my money back", "any reimbursement": what a request would ask for. */
const ASKED_FOR = String.raw`((a|an|any|my|the|your)\s+)?((full|partial)\s+)?${MONEY_BACK}\b`;

/**
 * The customer says they do not want one: "I do NOT want a refund", "not asking for my
 * money back", "no refund needed", "please don't refund it". The object follows the
 * verb directly, so "I don't want a voucher, I want a refund" is not caught; "if you
 * don't refund me…" is a demand, not a refusal.
 */
const NEGATED = [
  new RegExp(
    String.raw`\b(not|never|no longer|don'?t|dont|doesn'?t|wouldn'?t|won'?t)\s+((really|even|actually)\s+)?(want(ing)?|need(ing)?|ask(ed|ing)?( you)?( for)?|looking for|request(ed|ing)?|expect(ed|ing)?|after|interested in|seeking)\s+${ASKED_FOR}`,
    "i",
  ),
  /(?<!\b(you|if|unless|they|we) )\b(please )?(do not|don'?t|dont|never) (refund|reimburse)\b/i,
  new RegExp(String.raw`\bno ${MONEY_BACK} (is )?(needed|necessary|required|wanted)\b`, "i"),
  /\bno need (to|for) (a |any )?(refund|reimburse)/i,
];

/**
 * A question about how refunds would work, not a request for one: "if I wanted a
 * refund…", "what if I asked for my money back", "hypothetically", "would I be
 * eligible for a refund", "what is your refund policy".
 */
const HYPOTHETICAL = [
  new RegExp(
    String.raw`\bif (i|we) ((had|have) )?(wanted|want(ed)? to|want|were to|was to|decided|needed|need|asked|ever)\b[^.?!]{0,60}\b${MONEY_BACK}`,
    "i",
  ),
  new RegExp(
    String.raw`\b(what if|suppose|supposing|in case|hypothetically|theoretically)\b[^.?!]{0,60}\b${MONEY_BACK}`,
    "i",
  ),
  /\b(would|could|will|do) (i|we) (be eligible|qualify) for (a |any )?((full|partial) )?refund/i,
  /\b(what('s| is| are)|how (do|does|would|long)|explain|tell me about)\b[^.?!]{0,25}\b(your |the )?refunds? (policy|policies|process|rules|work|works|take|takes)\b/i,
];

const QUOTE_MARKS = `"“”„«»`;
/**
 * The words are someone else's: a quotation containing the request ('refund me',
 * "refund issued"), or reported speech ("my friend said I should ask for a refund").
 * Single quotes count only at word edges, so "I'd like a refund, it's broken" is no quote.
 */
const QUOTED = [
  new RegExp(
    String.raw`[${QUOTE_MARKS}][^${QUOTE_MARKS}]{0,80}\b${MONEY_BACK}[^${QUOTE_MARKS}]{0,80}[${QUOTE_MARKS}]`,
    "i",
  ),
  new RegExp(
    String.raw`(^|[\s(:])['‘][^'‘’]{0,80}\b${MONEY_BACK}\b[^'‘’]{0,80}['’](?=$|[\s.,!?;:)])`,
    "i",
  ),
  new RegExp(
    String.raw`\b((my|a|his|her|our|their) (friend|wife|husband|partner|colleague|co-?worker|boss|brother|sister|mother|mom|mum|father|dad|son|daughter|neighbou?r|roommate|flatmate)|someone|somebody)\b[^.?!]{0,40}\b(said|says|told|tells|suggested|suggests|thinks|keeps saying|wrote|writes|asked|typed)\b[^.?!]{0,60}\b${MONEY_BACK}`,
    "i",
  ),
];

const any = (patterns: readonly RegExp[], text: string) =>
  patterns.some((pattern) => pattern.test(text));

/** The message mentions legal action. */
export const mentionsLegalAction = (text: string): boolean => LEGAL.test(text);
/** The customer mentions a chargeback with their bank. */
export const mentionsChargeback = (text: string): boolean => CHARGEBACK.test(text);
/** The message tries to override the rules, claims an approval, or carries SQL. */
export const triesToOverride = (text: string): boolean =>
  any(INJECTION, text) || SQL_INJECTION.test(text);
/**
 * A refund is mentioned but not asked for: negated or hypothetical (issue #11:
 * "I do NOT want a refund…" was refunded).
 */
export const refundNotRequested = (text: string): boolean =>
  any(NEGATED, text) || any(HYPOTHETICAL, text);
/** A refund request in someone else's words: quoted or reported. */
export const refundRequestQuoted = (text: string): boolean => any(QUOTED, text);
