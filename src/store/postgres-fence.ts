import type pg from "pg";
import { leaseContext } from "./lease-context.ts";
import { leaseLost } from "./lease-lost.ts";

/**
 * The pool LangGraph's PostgresSaver writes through, with its writes fenced: every
 * transaction it begins under a driver's lease (see {@link leaseContext}) first locks the
 * run's row `FOR SHARE` and checks the lease. A claim (which updates that row) then
 * either committed before, and the check fails, or waits until this checkpoint commits:
 * no claim can slip between the check and the write.
 */
export function fencedPool(pool: pg.Pool, runsTable: string): pg.Pool {
  return new Proxy(pool, {
    get(target, property, receiver) {
      if (property !== "connect") return Reflect.get(target, property, receiver);
      // pool.query checks a client out with a callback: single statements, never a
      // checkpoint transaction, so they go straight through.
      return (...args: unknown[]) =>
        typeof args[0] === "function"
          ? target.connect(args[0] as Parameters<pg.Pool["connect"]>[0] & {})
          : target.connect().then((client) => fencedClient(client, runsTable));
    },
  });
}

function fencedClient(client: pg.PoolClient, runsTable: string): pg.PoolClient {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property !== "query") return Reflect.get(target, property, receiver);
      return async (...args: unknown[]) => {
        const query = target.query as (...a: unknown[]) => Promise<unknown>;
        const result = await query.apply(target, args);
        const lease = leaseContext.getStore();
        if (args[0] === "BEGIN" && lease !== undefined) {
          const holds = await target.query(
            `SELECT 1 FROM ${runsTable}
               WHERE id = $1 AND owner = $2 AND epoch = $3 AND status = 'running' FOR SHARE`,
            [lease.runId, lease.owner, lease.epoch],
          );
          if (holds.rowCount !== 1) throw leaseLost(lease);
        }
        return result;
      };
    },
  });
}
