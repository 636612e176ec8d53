import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import { RUN_STATUSES } from "../store/types.ts";
import type { CaseOutcome } from "./types.ts";

const CaseStatusName = z.enum([...RUN_STATUSES, "rejected", "error"]);

/**
 * A check on one value of a case's outcome, found by a dot path such as
 * `output.action`, `routes.classify_intent.decidedBy`, `effects` or `status`.
 */
export const Predicate = z
  .object({
    path: z.string().min(1),
    equals: z.unknown().optional(),
    /** A regular expression (case-insensitive) the value's text must match. */
    matches: z.string().optional(),
    /** A substring of a text, or an element of a list. */
    includes: z.unknown().optional(),
    notIncludes: z.unknown().optional(),
    exists: z.boolean().optional(),
    atLeast: z.number().optional(),
    atMost: z.number().optional(),
    /** Shown instead of the generic message when the check fails. */
    description: z.string().optional(),
  })
  .strict();
export type Predicate = z.infer<typeof Predicate>;

/** What a case expects; every field is optional and all given ones must hold. */
export const Expectation = z
  .object({
    /** The branch each route node must take (or one of several). */
    routes: z.record(z.string(), z.union([z.string(), z.array(z.string()).min(1)])).optional(),
    /** How the run must end; `rejected` means the workflow must refuse the input. */
    status: z.union([CaseStatusName, z.array(CaseStatusName).min(1)]).optional(),
    /** Whether some route must (true) or must not (false) escalate. */
    escalated: z.boolean().optional(),
    /** Effects that must be planned. */
    effects: z.array(z.string()).optional(),
    /** Effects that must not be planned (nor performed). */
    noEffects: z.array(z.string()).optional(),
    /** Tools an agent step must have run (or planned, in a dry run). */
    tools: z.array(z.string()).optional(),
    /** Tools no agent step may run: never executed, whether or not the model asked for them. */
    noTools: z.array(z.string()).optional(),
    /** Output fields by dot path (`refund.amount`), compared for deep equality. */
    output: z.record(z.string(), z.unknown()).optional(),
    predicates: z.array(Predicate).optional(),
  })
  .strict();
export type Expectation = z.infer<typeof Expectation>;

const show = (value: unknown): string => JSON.stringify(value) ?? "undefined";

/** The outcome as predicates see it. */
function view(outcome: CaseOutcome, input: unknown): Record<string, unknown> {
  return {
    status: outcome.status,
    error: outcome.error,
    input,
    output: outcome.output,
    escalated: outcome.escalated,
    routes: outcome.routes,
    effects: outcome.effects.map((effect) => effect.name),
    tools: ranTools(outcome),
    refusedTools: (outcome.toolCalls ?? [])
      .filter((call) => call.outcome === "refused")
      .map((call) => call.tool),
    latencyMs: outcome.latencyMs,
  };
}

/** The value at a dot path (`output.refund.amount`); undefined when any step is missing. */
export function valueAt(root: unknown, path: string): unknown {
  let current: unknown = root;
  for (const key of path.split(".")) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function includesValue(container: unknown, needle: unknown): boolean {
  if (Array.isArray(container)) return container.some((item) => isDeepStrictEqual(item, needle));
  if (typeof container === "string") return container.includes(String(needle));
  return false;
}

/** Checks one predicate; returns the problem, or undefined when it holds. */
export function checkPredicate(predicate: Predicate, root: unknown): string | undefined {
  const value = valueAt(root, predicate.path);
  const problems: string[] = [];
  if (predicate.exists !== undefined && (value !== undefined) !== predicate.exists)
    problems.push(predicate.exists ? "is missing" : "should be absent");
  if ("equals" in predicate && !isDeepStrictEqual(value, predicate.equals))
    problems.push(`expected ${show(predicate.equals)}`);
  if (predicate.matches !== undefined && !new RegExp(predicate.matches, "i").test(String(value)))
    problems.push(`expected to match /${predicate.matches}/i`);
  if (predicate.includes !== undefined && !includesValue(value, predicate.includes))
    problems.push(`expected to include ${show(predicate.includes)}`);
  if (predicate.notIncludes !== undefined && includesValue(value, predicate.notIncludes))
    problems.push(`expected not to include ${show(predicate.notIncludes)}`);
  if (predicate.atLeast !== undefined && !(Number(value) >= predicate.atLeast))
    problems.push(`expected at least ${predicate.atLeast}`);
  if (predicate.atMost !== undefined && !(Number(value) <= predicate.atMost))
    problems.push(`expected at most ${predicate.atMost}`);
  if (problems.length === 0) return undefined;
  const got = `got ${show(value)?.slice(0, 120)}`;
  return predicate.description
    ? `${predicate.description} (${predicate.path}: ${got})`
    : `${predicate.path}: ${problems.join(", ")}, ${got}`;
}

function checkRoutes(expectation: Expectation, outcome: CaseOutcome): string[] {
  return Object.entries(expectation.routes ?? {}).flatMap(([node, wanted]) => {
    const allowed = Array.isArray(wanted) ? wanted : [wanted];
    const route = outcome.routes[node];
    if (route === undefined)
      return [`routes.${node}: expected ${allowed.join(" or ")}, but the run never reached it`];
    if (allowed.includes(route.choice)) return [];
    const why = route.kind === "escalation" ? ` (escalated, ${route.decidedBy})` : "";
    return [
      `routes.${node}: expected ${allowed.join(" or ")}, got ${route.choice}${why} [${route.decidedBy}${route.confidence === null ? "" : ` ${route.confidence.toFixed(2)}`}]`,
    ];
  });
}

function checkEffects(expectation: Expectation, outcome: CaseOutcome): string[] {
  const names = new Set(outcome.effects.map((effect) => effect.name));
  return [
    ...(expectation.effects ?? [])
      .filter((name) => !names.has(name))
      .map((name) => `effects: expected ${name} to be planned, it was not`),
    ...(expectation.noEffects ?? [])
      .filter((name) => names.has(name))
      .map((name) => `effects: ${name} must not happen, but it was planned`),
  ];
}

function ranTools(outcome: CaseOutcome): string[] {
  return (outcome.toolCalls ?? [])
    .filter((call) => call.outcome === "ran")
    .map((call) => call.tool);
}

function checkTools(expectation: Expectation, outcome: CaseOutcome): string[] {
  const ran = new Set(ranTools(outcome));
  const asked = (outcome.toolCalls ?? []).map((call) => `${call.tool} (${call.outcome})`);
  const got = asked.length > 0 ? asked.join(", ") : "no tool calls";
  return [
    ...(expectation.tools ?? [])
      .filter((name) => !ran.has(name))
      .map((name) => `tools: expected ${name} to run, it did not (${got})`),
    ...(expectation.noTools ?? [])
      .filter((name) => ran.has(name))
      .map((name) => `tools: ${name} must never run, but it did (${got})`),
  ];
}

function checkStatus(expectation: Expectation, outcome: CaseOutcome): string[] {
  if (expectation.status === undefined) return [];
  const allowed = Array.isArray(expectation.status) ? expectation.status : [expectation.status];
  if (allowed.includes(outcome.status)) return [];
  const error = outcome.error ? ` (${outcome.error.slice(0, 160)})` : "";
  return [`status: expected ${allowed.join(" or ")}, got ${outcome.status}${error}`];
}

function checkEscalated(expectation: Expectation, outcome: CaseOutcome): string[] {
  if (expectation.escalated === undefined || expectation.escalated === outcome.escalated) return [];
  return [
    expectation.escalated
      ? "escalated: expected an escalation, none happened"
      : "escalated: expected no escalation, but it escalated",
  ];
}

/** Checks a case's outcome against its expectation; returns each unmet one, in words. */
export function checkExpectation(
  expectation: Expectation,
  outcome: CaseOutcome,
  input: unknown,
): string[] {
  const root = view(outcome, input);
  const outputChecks = Object.entries(expectation.output ?? {}).map(([path, equals]) =>
    checkPredicate({ path: `output.${path}`, equals }, root),
  );
  const predicateChecks = (expectation.predicates ?? []).map((predicate) =>
    checkPredicate(predicate, root),
  );
  return [
    ...checkStatus(expectation, outcome),
    ...checkRoutes(expectation, outcome),
    ...checkEscalated(expectation, outcome),
    ...checkEffects(expectation, outcome),
    ...checkTools(expectation, outcome),
    ...[...outputChecks, ...predicateChecks].filter((problem) => problem !== undefined),
  ];
}
