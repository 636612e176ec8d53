import { randomBytes } from "node:crypto";
import pg from "pg";
import { describe, it } from "vitest";
import { postgresUnavailable as probe } from "./postgres-probe.ts";
import { inCi } from "./required.ts";

/** Where the PostgreSQL tests connect: `SIGNALBOX_TEST_POSTGRES_URL`, or the local default. */
export const POSTGRES_URL =
  process.env.SIGNALBOX_TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/test";

export { inCi };

/** Why PostgreSQL cannot be used (the connection error), or undefined when it can. */
export function postgresUnavailable(url = POSTGRES_URL): Promise<string | undefined> {
  return probe(url);
}

/** A schema name nobody else uses, e.g. `sbt_store_1a2b3c4d`. */
export function freshSchema(prefix: string): string {
  return `sbt_${prefix}_${randomBytes(4).toString("hex")}`;
}

/** Drops the given schemas and everything in them. */
export async function dropSchemas(schemas: readonly string[], url = POSTGRES_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const schema of schemas) {
      await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
    }
  } finally {
    await client.end();
  }
}

/**
 * Declares a suite that needs PostgreSQL. When `unavailable` names why it cannot be
 * reached: under CI the suite fails (a skipped database test must not pass CI);
 * elsewhere it is skipped with a test whose name says why and how to point it elsewhere.
 */
export function describePostgres(name: string, unavailable: string | undefined, body: () => void) {
  if (unavailable === undefined) {
    describe(name, body);
    return;
  }
  const why = `PostgreSQL unreachable at ${POSTGRES_URL} (${unavailable})`;
  describe(name, () => {
    if (inCi) {
      it("needs PostgreSQL, which CI requires", () => {
        throw new Error(`${why}; CI runs every PostgreSQL test, so this fails instead of skipping`);
      });
    } else {
      it.skip(`skipped: ${why}; start it or set SIGNALBOX_TEST_POSTGRES_URL`, () => {});
    }
  });
}
