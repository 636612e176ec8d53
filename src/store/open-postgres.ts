import { createPostgresQueue, type PostgresQueueOptions } from "./postgres-queue.ts";
import { PostgresRunStore, type PostgresRunStoreOptions } from "./postgres-store.ts";
import type { RunQueue } from "./types.ts";

/** Options for {@link openPostgres}: the store's, and the queue's poll interval. */
export interface OpenPostgresOptions extends PostgresRunStoreOptions {
  readonly pollInterval?: PostgresQueueOptions["pollInterval"];
}

/**
 * The PostgreSQL deployment in one call: the store (migrated) and its graphile-worker
 * queue on the store's pool and schema, ready for `new Runtime({ store, queue, … })`.
 */
export async function openPostgres(
  options: OpenPostgresOptions,
): Promise<{ store: PostgresRunStore; queue: RunQueue }> {
  const store = await PostgresRunStore.open(options);
  const queue = createPostgresQueue({
    pool: store.pool,
    schema: store.schema,
    logger: options.logger,
    pollInterval: options.pollInterval,
  });
  return { store, queue };
}
