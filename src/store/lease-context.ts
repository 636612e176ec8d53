import { AsyncLocalStorage } from "node:async_hooks";
import type { Lease } from "./types.ts";

/**
 * The lease of the driver whose code is running: the driver invokes its graph inside
 * `leaseContext.run(lease, …)`, so every checkpoint LangGraph writes from that
 * invocation carries the driver's own lease down to the store, which checks it in the
 * same transaction as the write (SQLite: a trigger; PostgreSQL: a row lock after BEGIN).
 */
export const leaseContext = new AsyncLocalStorage<Lease>();

/** The message both stores fail a fenced checkpoint write with. */
export const CHECKPOINT_FENCE_MESSAGE = "signalbox: lease lost";
