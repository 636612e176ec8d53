import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";
import { ErrorCode, SignalboxError } from "../errors.ts";
import { SQLITE_MIGRATIONS } from "./sqlite-schema.ts";

/** How SQLite waits for another process's write lock: briefly in C, then asynchronously. */
const BUSY_TIMEOUT_MS = 5;
/** Give up on a lock held this long: some process is stuck inside a transaction. */
const BUSY_GIVE_UP_MS = 60_000;

/** The current time on SQLite's clock, in the ISO form runs use (`…T…:…:….mmmZ`). */
export const SQL_NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";
/** `now` shifted by `?`, a modifier made by {@link leaseModifier} (negative: back in time). */
export const SQL_NOW_PLUS = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?)";

/** An SQLite date modifier adding `ms` milliseconds (negative: subtracting). */
export function leaseModifier(ms: number): string {
  return `${ms < 0 ? "-" : "+"}${(Math.abs(ms) / 1000).toFixed(3)} seconds`;
}

export function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && (code.startsWith("SQLITE_BUSY") || code === "SQLITE_LOCKED");
}

/** Thrown inside a transaction to roll it back without it being an error. */
export class Rollback extends Error {}

/**
 * Applies the versioned migrations a database file has not seen yet. Each one checks the
 * version inside its `BEGIN IMMEDIATE` transaction: another process opening the same file
 * may have applied it between our read and our lock (`serve` and `worker` started together).
 */
export function migrateSqlite(db: Database.Database): number {
  const version = () => db.pragma("user_version", { simple: true }) as number;
  while (version() < SQLITE_MIGRATIONS.length) {
    db.transaction(() => {
      const next = version();
      if (next >= SQLITE_MIGRATIONS.length) return;
      db.exec(SQLITE_MIGRATIONS[next] as string);
      db.pragma(`user_version = ${next + 1}`);
    }).immediate();
  }
  return SQLITE_MIGRATIONS.length;
}

/** A write waiting for the next group commit. */
interface PendingWrite {
  readonly operation: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: unknown };

function answer(group: readonly PendingWrite[], outcomes: readonly Outcome[]): void {
  outcomes.forEach((outcome, index) => {
    const write = group[index] as PendingWrite;
    if (outcome.ok) write.resolve(outcome.value);
    else write.reject(outcome.error);
  });
}

/**
 * One better-sqlite3 connection with cached statements and write transactions that
 * start `IMMEDIATE` (a deferred one that reads first cannot take the write lock once
 * another process wrote) and, when the database is busy, retry after an asynchronous
 * back-off instead of blocking the event loop in `busy_timeout`.
 *
 * Writes asked for in the same turn of the event loop commit together (group commit,
 * issue 12): each runs in its own savepoint, so one that throws (a lost lease, a
 * `Rollback`) undoes only its own rows and fails only its own caller, and every caller
 * is answered after the one commit (one fsync under synchronous=FULL) made its rows
 * durable. Runs driven at once no longer pay a commit each for every decision.
 */
export class SqliteConnection {
  readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly transaction: Database.Transaction<(operation: () => unknown) => unknown>;
  private pending: PendingWrite[] = [];
  private scheduled = false;
  /** Groups commit one after another, in the order their writes were asked for. */
  private committing: Promise<void> = Promise.resolve();

  constructor(path: string, synchronous: "FULL" | "NORMAL") {
    this.db = new Database(path);
    this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    this.withBusyRetrySync(() => {
      this.db.pragma("journal_mode = WAL");
      this.db.pragma(`synchronous = ${synchronous}`);
      migrateSqlite(this.db);
    });
    this.transaction = this.db.transaction((operation: () => unknown) => operation());
  }

  /**
   * Runs `operation` in a `BEGIN IMMEDIATE` transaction shared with the other writes of
   * this turn of the event loop, retrying while the database is busy; resolves once committed.
   */
  write<T>(operation: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ operation, resolve: resolve as (value: unknown) => void, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.committing = this.committing.then(() => this.commitPending());
      });
    });
  }

  /** Commits the writes asked for so far in one transaction and answers each caller. */
  private async commitPending(): Promise<void> {
    const group = this.pending;
    this.pending = [];
    if (group.length === 0) return;
    try {
      answer(group, await this.retryBusy(() => this.commitGroup(group)));
    } catch (error) {
      for (const write of group) write.reject(error);
    }
  }

  /** A write alone in its turn needs no savepoint: its transaction is its own. */
  private commitGroup(group: readonly PendingWrite[]): Outcome[] {
    const [only] = group;
    if (group.length === 1 && only !== undefined) {
      try {
        return [{ ok: true, value: this.transaction.immediate(only.operation) }];
      } catch (error) {
        if (isBusy(error)) throw error;
        return [{ ok: false, error }];
      }
    }
    return this.transaction.immediate(() =>
      group.map((write) => this.inSavepoint(write)),
    ) as Outcome[];
  }

  /** Inside the group's transaction: a nested transaction function runs as a savepoint. */
  private inSavepoint(write: PendingWrite): Outcome {
    try {
      return { ok: true, value: this.transaction(write.operation) };
    } catch (error) {
      // Busy means the whole group did not get the lock: retried as one.
      if (isBusy(error)) throw error;
      return { ok: false, error };
    }
  }

  /** Retries `operation` (sync or async) while it fails with SQLITE_BUSY, sleeping between tries. */
  async retryBusy<T>(operation: () => T | Promise<T>): Promise<T> {
    const started = Date.now();
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await operation();
      } catch (error) {
        if (!isBusy(error)) throw error;
        if (Date.now() - started > BUSY_GIVE_UP_MS)
          throw new SignalboxError(
            ErrorCode.StoreError,
            `the SQLite database stayed locked for ${BUSY_GIVE_UP_MS / 1000} s; is a process stuck inside a transaction?`,
            { retryable: true, cause: error },
          );
        const backoff = Math.min(50, 2 ** Math.min(attempt, 6));
        await sleep(backoff / 2 + Math.random() * backoff);
      }
    }
  }

  /** Prepared once per SQL text: preparing costs more than running most of these. */
  statement(sql: string): Database.Statement {
    let prepared = this.statements.get(sql);
    if (prepared === undefined) {
      prepared = this.db.prepare(sql);
      this.statements.set(sql, prepared);
    }
    return prepared;
  }

  /** Commits writes still waiting for their turn (once, without retrying), then closes. */
  close(): void {
    if (!this.db.open) return;
    const group = this.pending;
    this.pending = [];
    if (group.length > 0) {
      try {
        answer(group, this.commitGroup(group));
      } catch (error) {
        for (const write of group) write.reject(error);
      }
    }
    this.db.close();
  }

  /** Start-up only (a constructor cannot await): waits for another process's migration. */
  private withBusyRetrySync<T>(operation: () => T): T {
    const deadline = Date.now() + BUSY_GIVE_UP_MS;
    for (;;) {
      try {
        return operation();
      } catch (error) {
        if (!isBusy(error) || Date.now() > deadline) throw error;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
      }
    }
  }
}
