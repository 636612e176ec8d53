import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { SEED_CUSTOMERS, SEED_TICKETS } from "./seed-data.ts";

export interface Customer {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly plan: string;
  readonly status: string;
}

/** What issuing a refund did: issued, or declined with the reason (nothing was written). */
export type RefundOutcome =
  | { readonly key: string; readonly status: "issued" }
  | { readonly key: string; readonly status: "declined"; readonly reason: string };

export interface Order {
  readonly id: string;
  readonly customerId: string;
  readonly amount: number;
  readonly placedAt: string;
  readonly status: string;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS customers (id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL, plan TEXT NOT NULL, status TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, amount REAL NOT NULL, placed_at TEXT NOT NULL, status TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS refunds (idempotency_key TEXT PRIMARY KEY, customer_id TEXT NOT NULL, order_id TEXT NOT NULL, amount REAL NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS outbox (idempotency_key TEXT PRIMARY KEY, customer_id TEXT NOT NULL, email TEXT NOT NULL, body TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS handoffs (idempotency_key TEXT PRIMARY KEY, customer_id TEXT NOT NULL, reason TEXT NOT NULL, message TEXT NOT NULL, created_at TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS tickets (id TEXT PRIMARY KEY, idempotency_key TEXT UNIQUE, customer_id TEXT NOT NULL, subject TEXT NOT NULL, severity TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL);
`;

/** A support ticket, as the context and the agent see it (ages in days: prompts stay the same all day). */
export interface Ticket {
  readonly id: string;
  readonly subject: string;
  readonly severity: string;
  readonly status: string;
  readonly daysAgo: number;
}

/**
 * The support system the triage workflow talks to: customers and orders it
 * reads, and refunds, outgoing mail and hand-offs it writes. Every write takes
 * the runtime's idempotency key as its primary key, so a step replayed after a
 * crash cannot do the same thing twice.
 */
export class SupportData {
  private readonly db: Database.Database;

  constructor(path: string) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    // A refund acknowledged to the journal must survive a power cut too (issue 11).
    this.db.pragma("synchronous = FULL");
    this.db.pragma("busy_timeout = 5000");
    this.db.exec(SCHEMA);
    this.seed();
  }

  private seed(): void {
    const count = this.db.prepare("SELECT COUNT(*) AS n FROM customers").get() as { n: number };
    if (count.n > 0) return;
    const day = 86_400_000;
    this.db.transaction(() => {
      for (const customer of SEED_CUSTOMERS) {
        this.db
          .prepare("INSERT INTO customers VALUES (?, ?, ?, ?, ?)")
          .run(customer.id, customer.name, customer.email, customer.plan, customer.status);
        for (const order of customer.orders) {
          this.db
            .prepare("INSERT INTO orders VALUES (?, ?, ?, ?, ?)")
            .run(
              order.id,
              customer.id,
              order.amount,
              new Date(Date.now() - order.daysAgo * day).toISOString(),
              order.status,
            );
        }
      }
      for (const ticket of SEED_TICKETS)
        this.db
          .prepare("INSERT INTO tickets VALUES (?, NULL, ?, ?, ?, ?, ?)")
          .run(
            ticket.id,
            ticket.customerId,
            ticket.subject,
            ticket.severity,
            ticket.status,
            new Date(Date.now() - ticket.daysAgo * day).toISOString(),
          );
    })();
  }

  customer(id: string): Customer | undefined {
    return this.db
      .prepare("SELECT id, name, email, plan, status FROM customers WHERE id = ?")
      .get(id) as Customer | undefined;
  }

  orders(customerId: string): Order[] {
    return this.db
      .prepare(
        "SELECT id, customer_id AS customerId, amount, placed_at AS placedAt, status FROM orders WHERE customer_id = ? ORDER BY placed_at DESC",
      )
      .all(customerId) as Order[];
  }

  /**
   * Issues a refund, check and act in one transaction: the order goes from `paid` to
   * `refunded` only if it is still `paid` and the customer's, and the refund row is
   * written in the same transaction. Anything else (refunded by another run meanwhile,
   * not this customer's order) is declined, with the reason. The same key again returns
   * what it did the first time, so a step replayed after a crash cannot refund twice.
   *
   * Issue #11: the policy step read the order, this step wrote later without looking
   * again, so 10 concurrent runs refunded one 49 EUR order 10 times.
   */
  issueRefund(
    key: string,
    refund: { customerId: string; orderId: string; amount: number },
  ): RefundOutcome {
    return this.db
      .transaction((): RefundOutcome => {
        const done = this.db
          .prepare("SELECT status FROM refunds WHERE idempotency_key = ?")
          .get(key) as { status: string } | undefined;
        if (done !== undefined) return { key, status: "issued" };
        const claimed = this.db
          .prepare(
            "UPDATE orders SET status = 'refunded' WHERE id = ? AND customer_id = ? AND status = 'paid'",
          )
          .run(refund.orderId, refund.customerId);
        if (claimed.changes === 0) return { key, status: "declined", reason: this.whyNot(refund) };
        this.db
          .prepare("INSERT INTO refunds VALUES (?, ?, ?, ?, 'issued', ?)")
          .run(key, refund.customerId, refund.orderId, refund.amount, new Date().toISOString());
        return { key, status: "issued" };
      })
      .immediate();
  }

  private whyNot(refund: { customerId: string; orderId: string }): string {
    const order = this.db
      .prepare("SELECT customer_id AS customerId, status FROM orders WHERE id = ?")
      .get(refund.orderId) as { customerId: string; status: string } | undefined;
    if (order === undefined || order.customerId !== refund.customerId)
      return `order #${refund.orderId} is not on this account`;
    if (order.status === "refunded") return `order #${refund.orderId} was already refunded`;
    return `order #${refund.orderId} is ${order.status}, not paid`;
  }

  /** Undoes a refund this key issued (and only that one): the order is paid again. */
  reverseRefund(key: string): void {
    this.db
      .transaction(() => {
        const row = this.db
          .prepare(
            "SELECT order_id AS orderId FROM refunds WHERE idempotency_key = ? AND status = 'issued'",
          )
          .get(key) as { orderId: string } | undefined;
        if (row === undefined) return;
        this.db
          .prepare("UPDATE refunds SET status = 'reversed' WHERE idempotency_key = ?")
          .run(key);
        this.db
          .prepare("UPDATE orders SET status = 'paid' WHERE id = ? AND status = 'refunded'")
          .run(row.orderId);
      })
      .immediate();
  }

  /** The refunds recorded for one order, oldest first (for operators and tests). */
  refundsOf(orderId: string): { key: string; amount: number; status: string }[] {
    return this.db
      .prepare(
        "SELECT idempotency_key AS key, amount, status FROM refunds WHERE order_id = ? ORDER BY created_at",
      )
      .all(orderId) as { key: string; amount: number; status: string }[];
  }

  sendMail(
    key: string,
    mail: { customerId: string; email: string; body: string },
  ): { key: string } {
    this.db
      .prepare(
        "INSERT INTO outbox VALUES (?, ?, ?, ?, 'sent', ?) ON CONFLICT (idempotency_key) DO NOTHING",
      )
      .run(key, mail.customerId, mail.email, mail.body, new Date().toISOString());
    return { key };
  }

  retractMail(key: string): void {
    this.db.prepare("UPDATE outbox SET status = 'retracted' WHERE idempotency_key = ?").run(key);
  }

  handOff(
    key: string,
    handoff: { customerId: string; reason: string; message: string },
  ): { key: string } {
    this.db
      .prepare(
        "INSERT INTO handoffs VALUES (?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING",
      )
      .run(key, handoff.customerId, handoff.reason, handoff.message, new Date().toISOString());
    return { key };
  }

  /** The customer's latest tickets, newest first. */
  recentTickets(customerId: string, limit = 3): Ticket[] {
    const rows = this.db
      .prepare(
        "SELECT id, subject, severity, status, created_at AS createdAt FROM tickets WHERE customer_id = ? ORDER BY created_at DESC LIMIT ?",
      )
      .all(customerId, limit) as (Omit<Ticket, "daysAgo"> & { createdAt: string })[];
    return rows.map(({ createdAt, ...ticket }) => ({
      ...ticket,
      daysAgo: Math.floor((Date.now() - Date.parse(createdAt)) / 86_400_000),
    }));
  }

  /**
   * Opens a ticket, once per idempotency key (check and insert in one transaction):
   * the same key again returns the ticket it opened the first time.
   */
  openTicket(
    key: string,
    ticket: { customerId: string; subject: string; severity: string },
  ): { ticketId: string; status: "open" } {
    return this.db
      .transaction(() => {
        const done = this.db.prepare("SELECT id FROM tickets WHERE idempotency_key = ?").get(key) as
          | { id: string }
          | undefined;
        if (done !== undefined) return { ticketId: done.id, status: "open" as const };
        const { n } = this.db.prepare("SELECT COUNT(*) AS n FROM tickets").get() as { n: number };
        const id = `T-${3001 + n}`;
        this.db
          .prepare("INSERT INTO tickets VALUES (?, ?, ?, ?, ?, 'open', ?)")
          .run(
            id,
            key,
            ticket.customerId,
            ticket.subject,
            ticket.severity,
            new Date().toISOString(),
          );
        return { ticketId: id, status: "open" as const };
      })
      .immediate();
  }

  /** Closes a ticket an undone effect opened. */
  withdrawTicket(key: string): void {
    this.db.prepare("UPDATE tickets SET status = 'withdrawn' WHERE idempotency_key = ?").run(key);
  }

  /** Counts rows of a ledger table, for operators and tests. */
  ledger(table: "refunds" | "outbox" | "handoffs"): { key: string; status?: string }[] {
    const status = table === "handoffs" ? "'created'" : "status";
    return this.db
      .prepare(
        `SELECT idempotency_key AS key, ${status} AS status FROM ${table} ORDER BY created_at`,
      )
      .all() as { key: string; status?: string }[];
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
