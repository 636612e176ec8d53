import { describe, it } from "vitest";

/** True under CI (`CI` set to anything but empty, `0` or `false`), where every suite must run. */
export const inCi = !["", "0", "false"].includes(process.env.CI ?? "");

/**
 * Declares a suite that needs something outside the repository (a data set, a service).
 * When `missing` says what is absent: under CI the suite fails (a skipped suite must not
 * pass CI); elsewhere it is skipped with a test whose name says why.
 */
export function describeRequired(name: string, missing: string | undefined, body: () => void) {
  if (missing === undefined) {
    describe(name, body);
    return;
  }
  describe(name, () => {
    if (inCi) {
      it(`needs ${missing}, which CI requires`, () => {
        throw new Error(`${missing}; CI runs every suite, so this fails instead of skipping`);
      });
    } else {
      it.skip(`skipped: ${missing}`, () => {});
    }
  });
}
