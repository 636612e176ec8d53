/**
 * The PostgreSQL deployment, a separate entry (`signalbox/postgres`) so that
 * `pg` and graphile-worker load only for those who use them.
 *
 * @example
 * ```ts
 * import { Runtime, WorkflowRegistry } from "signalbox";
 * import { createPostgresQueue, PostgresRunStore } from "signalbox/postgres";
 *
 * const store = await PostgresRunStore.open({ connectionString: process.env.DATABASE_URL ?? "" });
 * const queue = createPostgresQueue({ pool: store.pool, schema: store.schema });
 * const runtime = new Runtime({ store, queue, workflows: new WorkflowRegistry([myWorkflow]) });
 * await runtime.startWorker({ concurrency: 4 });
 * ```
 */

export { type OpenPostgresOptions, openPostgres } from "./store/open-postgres.ts";
export {
  createPostgresQueue,
  type PostgresQueueOptions,
} from "./store/postgres-queue.ts";
export { PostgresRunStore, type PostgresRunStoreOptions } from "./store/postgres-store.ts";
