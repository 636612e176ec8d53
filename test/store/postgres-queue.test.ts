import { afterAll, afterEach, expect, it } from "vitest";
import { createPostgresQueue } from "../../src/store/postgres-queue.ts";
import type { RunQueue } from "../../src/store/types.ts";
import {
  describePostgres,
  dropSchemas,
  freshSchema,
  POSTGRES_URL,
  postgresUnavailable,
} from "../support/postgres.ts";
import { sleep } from "./run-store-fixtures.ts";

const unavailable = await postgresUnavailable();
const schema = freshSchema("queue");
const queues: RunQueue[] = [];
const otherSchemas: string[] = [];

/** A queue with a pool of its own, as a separate process would have. */
function openQueue(): RunQueue {
  const queue = createPostgresQueue({ connectionString: POSTGRES_URL, schema, pollInterval: 200 });
  queues.push(queue);
  return queue;
}

async function waitFor(condition: () => boolean, ms = 5_000): Promise<void> {
  for (let waited = 0; waited < ms && !condition(); waited += 20) await sleep(20);
}

describePostgres("createPostgresQueue", unavailable, () => {
  afterEach(async () => {
    await Promise.all(queues.splice(0).map((queue) => queue.close()));
  });
  afterAll(() => dropSchemas([`${schema}_worker`, ...otherSchemas]));

  it("delivers a run id enqueued through one pool to a consumer on another", async () => {
    const producer = openQueue();
    const consumer = openQueue();
    const delivered: string[] = [];
    const stop = await consumer.consume(
      async (runId) => {
        delivered.push(runId);
        return true;
      },
      { concurrency: 2 },
    );
    await producer.enqueue("run-handoff");
    await waitFor(() => delivered.length > 0);
    expect(delivered).toEqual(["run-handoff"]);
    await stop();
    await producer.enqueue("run-after-stop");
    await sleep(300);
    expect(delivered).toEqual(["run-handoff"]);
  });

  it("collapses 20 concurrent wakes of one run, enqueued while nobody consumes, into one", async () => {
    const producer = openQueue();
    await Promise.all(Array.from({ length: 20 }, () => producer.enqueue("run-dedup")));
    const delivered: string[] = [];
    await openQueue().consume(
      async (runId) => {
        delivered.push(runId);
        return true;
      },
      { concurrency: 4 },
    );
    await waitFor(() => delivered.includes("run-dedup"));
    await sleep(500);
    expect(delivered.filter((id) => id === "run-dedup")).toHaveLength(1);
  });

  it("keeps consuming after graphile-worker is installed in another schema of the database", async () => {
    const consumer = openQueue();
    const delivered: string[] = [];
    await consumer.consume(
      async (runId) => {
        delivered.push(runId);
        return true;
      },
      { concurrency: 2 },
    );
    // Installing runs breaking migrations, announced on `worker:migrate`, a channel that names
    // no schema: graphile-worker stops every runner in the database (and sets exit code 57).
    const exitCode = process.exitCode;
    const other = freshSchema("queue_other");
    otherSchemas.push(`${other}_worker`);
    const neighbour = createPostgresQueue({ connectionString: POSTGRES_URL, schema: other });
    queues.push(neighbour);
    await neighbour.enqueue("installs-its-schema");
    await sleep(500);
    await openQueue().enqueue("after-the-install");
    await waitFor(() => delivered.includes("after-the-install"), 10_000);
    const seenExitCode = process.exitCode;
    process.exitCode = exitCode;
    expect(delivered).toContain("after-the-install");
    expect(seenExitCode).toBe(exitCode);
  });
});
