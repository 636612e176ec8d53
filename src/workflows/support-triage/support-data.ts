import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { SEED_CUSTOMERS } from "./seed-data.ts";

export interface Customer {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly plan: string;
  readonly status: string;
}

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
`;

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

  /** Issues a refund once per key; returns the refund as recorded. */
  issueRefund(
    key: string,
    refund: { customerId: string; orderId: string; amount: number },
  ): { key: string; status: string } {
    this.db
      .prepare(
        "INSERT INTO refunds VALUES (?, ?, ?, ?, 'issued', ?) ON CONFLICT (idempotency_key) DO NOTHING",
      )
      .run(key, refund.customerId, refund.orderId, refund.amount, new Date().toISOString());
    this.db.prepare("UPDATE orders SET status = 'refunded' WHERE id = ?").run(refund.orderId);
    return { key, status: "issued" };
  }

  reverseRefund(key: string): void {
    const row = this.db
      .prepare("SELECT order_id AS orderId FROM refunds WHERE idempotency_key = ?")
      .get(key) as { orderId: string } | undefined;
    this.db.prepare("UPDATE refunds SET status = 'reversed' WHERE idempotency_key = ?").run(key);
    if (row) this.db.prepare("UPDATE orders SET status = 'paid' WHERE id = ?").run(row.orderId);
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
