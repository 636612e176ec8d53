import pg from "pg";

/**
 * Why PostgreSQL at `url` cannot be used (the connection error), or undefined when it can.
 * Free of vitest, so the benches ask the same way the tests do.
 */
export async function postgresUnavailable(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message || error.name : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}
