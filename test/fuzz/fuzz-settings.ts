import fc from "fast-check";

/**
 * Seeded settings shared by the fuzz suites: FUZZ_RUNS cases per property (a few hundred
 * by default, as in CI; `npm run fuzz` sets 10000) and FUZZ_SEED to replay. The seed is
 * printed, and fast-check prints the failing case's seed and path on a failure.
 */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 200);

export function fuzzSettings(runs = FUZZ_RUNS): { seed: number; numRuns: number } {
  return { seed: FUZZ_SEED, numRuns: runs };
}

process.stderr.write(
  `fuzz seed ${FUZZ_SEED} (replay with FUZZ_SEED=${FUZZ_SEED}), ${FUZZ_RUNS} cases\n`,
);

/** JSON values with the awkward corners: deep nesting, odd strings, big numbers. */
export const anyJson = fc.jsonValue({ maxDepth: 6 });

/** Strings with invisible, combining, astral and look-alike characters in them. */
export const awkwardText = fc.string({
  unit: fc.oneof(
    fc.constantFrom(
      "\u200B",
      "\u200D",
      "\uFEFF",
      "\u202E",
      "\u0301",
      "\u0430",
      "\u043E",
      "\u0456",
      "\u03BF",
      "\uFF49",
      "😀",
      "\u0000",
      "\n",
      " ",
    ),
    fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }),
  ),
  maxLength: 80,
});
