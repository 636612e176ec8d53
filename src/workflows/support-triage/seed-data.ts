/** The small customer data set the support-triage workflow ships with (fictional people). */
export interface SeedCustomer {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly plan: "free" | "pro" | "business";
  readonly status: "active" | "suspended" | "closed";
  readonly orders: readonly {
    id: string;
    amount: number;
    daysAgo: number;
    status: "paid" | "refunded";
  }[];
}

export const SEED_CUSTOMERS: readonly SeedCustomer[] = [
  {
    id: "C-1001",
    name: "Ada Byron",
    email: "ada@example.com",
    plan: "pro",
    status: "active",
    orders: [
      { id: "5012", amount: 49, daysAgo: 3, status: "paid" },
      { id: "4980", amount: 49, daysAgo: 33, status: "paid" },
    ],
  },
  {
    id: "C-1002",
    name: "Grace Hopper",
    email: "grace@example.com",
    plan: "business",
    status: "active",
    orders: [{ id: "5020", amount: 480, daysAgo: 6, status: "paid" }],
  },
  {
    id: "C-1003",
    name: "Alan Turing",
    email: "alan@example.com",
    plan: "free",
    status: "active",
    orders: [],
  },
  {
    id: "C-1004",
    name: "Edsger Dijkstra",
    email: "edsger@example.com",
    plan: "pro",
    status: "active",
    orders: [{ id: "4801", amount: 29, daysAgo: 75, status: "paid" }],
  },
  {
    id: "C-1005",
    name: "Barbara Liskov",
    email: "barbara@example.com",
    plan: "business",
    status: "active",
    orders: [{ id: "5031", amount: 1200, daysAgo: 2, status: "paid" }],
  },
  {
    id: "C-1006",
    name: "Ken Thompson",
    email: "ken@example.com",
    plan: "pro",
    status: "suspended",
    orders: [{ id: "5002", amount: 49, daysAgo: 12, status: "refunded" }],
  },
  {
    id: "C-1007",
    name: "Margaret Hamilton",
    email: "margaret@example.com",
    plan: "pro",
    status: "active",
    orders: [{ id: "5040", amount: 99, daysAgo: 1, status: "paid" }],
  },
  {
    id: "C-1008",
    name: "Donald Knuth",
    email: "don@example.com",
    plan: "business",
    status: "active",
    orders: [{ id: "5041", amount: 250, daysAgo: 20, status: "paid" }],
  },
  {
    id: "C-1009",
    name: "Frances Allen",
    email: "fran@example.com",
    plan: "free",
    status: "closed",
    orders: [],
  },
  {
    id: "C-1010",
    name: "John Backus",
    email: "john@example.com",
    plan: "pro",
    status: "active",
    orders: [
      { id: "5050", amount: 49, daysAgo: 8, status: "paid" },
      { id: "5051", amount: 49, daysAgo: 8, status: "paid" },
    ],
  },
];

/** Past tickets, so the context gathering has history to read. */
export const SEED_TICKETS: readonly {
  id: string;
  customerId: string;
  subject: string;
  severity: "low" | "normal" | "high";
  status: "open" | "solved";
  daysAgo: number;
}[] = [
  {
    id: "T-2001",
    customerId: "C-1001",
    subject: "Sync stuck on desktop",
    severity: "normal",
    status: "solved",
    daysAgo: 40,
  },
  {
    id: "T-2002",
    customerId: "C-1002",
    subject: "SSO certificate rotation",
    severity: "high",
    status: "solved",
    daysAgo: 12,
  },
  {
    id: "T-2003",
    customerId: "C-1003",
    subject: "Upload fails with error 500",
    severity: "normal",
    status: "open",
    daysAgo: 2,
  },
  {
    id: "T-2004",
    customerId: "C-1005",
    subject: "API timeouts on large lists",
    severity: "high",
    status: "open",
    daysAgo: 1,
  },
  {
    id: "T-2005",
    customerId: "C-1007",
    subject: "Export email never arrived",
    severity: "normal",
    status: "solved",
    daysAgo: 9,
  },
  {
    id: "T-2006",
    customerId: "C-1008",
    subject: "Webhook paused after failures",
    severity: "normal",
    status: "solved",
    daysAgo: 25,
  },
];
