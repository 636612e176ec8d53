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

/** Applies the versioned migrations a database file has not seen yet. */
export function migrateSqlite(db: Database.Database): number {
  const current = db.pragma("user_version", { simple: true }) as number;
  for (let version = current; version < SQLITE_MIGRATIONS.length; version += 1) {
    db.transaction(() => {
      db.exec(SQLITE_MIGRATIONS[version] as string);
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
  return SQLITE_MIGRATIONS.length;
}

/**
 * One better-sqlite3 connection with cached statements and write transactions that
 * start `IMMEDIATE` (a deferred one that reads first cannot take the write lock once
 * another process wrote) and, when the database is busy, retry after an asynchronous
 * back-off instead of blocking the event loop in `busy_timeout`.
 */
export class SqliteConnection {
  readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly transaction: Database.Transaction<(operation: () => unknown) => unknown>;

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

  /** Runs `operation` in one `BEGIN IMMEDIATE` transaction, retrying while the database is busy. */
  write<T>(operation: () => T): Promise<T> {
    return this.retryBusy(() => this.transaction.immediate(operation) as T);
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

  close(): void {
    if (this.db.open) this.db.close();
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
