/**
 * The files `signalbox init` writes: a project with one example workflow (a route, an
 * approval above a limit, a write effect), its test, an eval suite and a README.
 */

export interface ScaffoldOptions {
  /** The package name. */
  readonly name: string;
  /** The version range (or path, or tarball) of signalbox to depend on. */
  readonly signalbox: string;
  /** Exact versions of the packages the project uses, as signalbox itself pins them. */
  readonly versions: { readonly zod: string; readonly vitest: string; readonly typesNode: string };
}

const EXAMPLE_INPUT = '{"employee":"ada","amount":120,"description":"taxi to the airport"}';

function packageJson(options: ScaffoldOptions): string {
  const manifest = {
    name: options.name,
    version: "0.1.0",
    private: true,
    type: "module",
    scripts: {
      test: "vitest run",
      eval: "signalbox eval expense-claim",
      mcp: "signalbox mcp",
    },
    dependencies: { signalbox: options.signalbox, zod: options.versions.zod },
    devDependencies: {
      "@types/node": options.versions.typesNode,
      vitest: options.versions.vitest,
    },
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

const CONFIG = `import { defineConfig } from "signalbox";
import { createExpenseClaim, JsonLedger } from "./src/expense-claim.ts";

/** What every \`signalbox\` command in this folder (and below it) hosts. */
export default defineConfig({
  workflows: ({ home }) => [createExpenseClaim({ ledger: new JsonLedger(home) })],
  // model: "openai:gpt-4.1-mini",        // or SIGNALBOX_MODEL; offline by default
  // store: { home: ".signalbox" },       // runs, decisions, approvals (SQLite)
  // server: { port: 8765 },              // signalbox serve
});
`;

const WORKFLOW = `import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { defineWorkflow, type RouteDeciderFunction } from "signalbox";
import { z } from "zod";

/** Where booked expenses go: the system this workflow writes to. */
export interface Ledger {
  /** Books an entry once per key (the run's idempotency key), so a replay books nothing twice. */
  book(key: string, entry: { employee: string; amount: number; category: string }): void;
}

/** A ledger in \`<home>/ledger.jsonl\`, one line per booking. */
export class JsonLedger implements Ledger {
  private readonly file: string;

  constructor(home: string) {
    mkdirSync(home, { recursive: true });
    this.file = join(home, "ledger.jsonl");
  }

  book(key: string, entry: { employee: string; amount: number; category: string }): void {
    const booked = (() => {
      try {
        return readFileSync(this.file, "utf8");
      } catch {
        return "";
      }
    })();
    if (booked.includes(JSON.stringify(key))) return;
    appendFileSync(this.file, \`\${JSON.stringify({ key, ...entry })}\\n\`);
  }
}

/** Claims above this many euros wait for a manager. */
export const APPROVAL_LIMIT = 500;

export interface ExpenseClaimOptions {
  readonly ledger: Ledger;
  /** Decides the category; default the offline classifier (tests pass a scripted one). */
  readonly decider?: RouteDeciderFunction;
}

/** Categorises an expense claim, asks a manager above the limit, and books it. */
export function createExpenseClaim(options: ExpenseClaimOptions) {
  return defineWorkflow({
    name: "expense_claim",
    description: "Categorise an expense claim, ask a manager above 500 EUR, and book it.",
    version: "1.0.0",
    input: z.object({
      employee: z.string().min(1),
      amount: z.number().positive(),
      description: z.string().min(1),
    }),
    output: z.object({
      status: z.enum(["booked", "rejected"]),
      category: z.string(),
    }),
  })
    .route("categorize", {
      branches: {
        travel: {
          description: "trips: flights, trains, hotels, taxis",
          examples: ["flight to Berlin", "hotel for two nights", "taxi to the airport", "train ticket"],
          to: "approve",
        },
        equipment: {
          description: "things to work with: laptops, monitors, keyboards, chairs",
          examples: ["new laptop", "external monitor", "keyboard and mouse", "office chair"],
          to: "approve",
        },
        other: { description: "anything else", to: "approve" },
      },
      text: (state) => state.input.description,
      decider: options.decider,
      defaultBranch: "other",
      escalationBranch: "other",
      minConfidence: 0.5,
    })
    .approval("approve", {
      when: (state) => state.input.amount > APPROVAL_LIMIT,
      skipReason: (state) => \`\${state.input.amount} EUR is within the \${APPROVAL_LIMIT} EUR limit\`,
      message: (state) => \`Book \${state.input.amount} EUR for \${state.input.employee}?\`,
      next: "book",
      on: { rejected: "reject" },
    })
    .step("book", {
      effect: "write",
      describe: (state) => ({ employee: state.input.employee, amount: state.input.amount }),
      run: async (state, context) => {
        const category = state.routes.categorize?.branch ?? "other";
        options.ledger.book(context.idempotencyKey, {
          employee: state.input.employee,
          amount: state.input.amount,
          category,
        });
        return { output: { status: "booked" as const, category } };
      },
      preview: (state) => ({
        output: { status: "booked" as const, category: state.routes.categorize?.branch ?? "other" },
      }),
    })
    .step("reject", {
      run: (state) => ({
        output: { status: "rejected" as const, category: state.routes.categorize?.branch ?? "other" },
      }),
    })
    .compile();
}
`;

const TEST = `import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Runtime, SqliteRunStore, WorkflowRegistry } from "signalbox";
import { createScriptedDecider } from "signalbox/testing";
import { afterEach, describe, expect, it } from "vitest";
import { createExpenseClaim, type Ledger } from "../src/expense-claim.ts";

const homes: string[] = [];
afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

/** A runtime over a fresh SQLite file, the workflow routed by scripted answers. */
function setUp(answers: unknown[]) {
  const home = mkdtempSync(join(tmpdir(), "expense-claim-"));
  homes.push(home);
  const booked: string[] = [];
  const ledger: Ledger = { book: (key) => void booked.push(key) };
  const decider = createScriptedDecider(answers);
  const runtime = new Runtime({
    store: new SqliteRunStore(join(home, "signalbox.db")),
    workflows: new WorkflowRegistry([createExpenseClaim({ ledger, decider })]),
  });
  return { runtime, booked, decider };
}

describe("expense_claim", () => {
  it("books a small claim at once, in the category the route chose", async () => {
    const { runtime, booked, decider } = setUp([
      { branch: "travel", reason: "a taxi is travel", confidence: 0.9 },
    ]);
    const run = await runtime.start("expense_claim", {
      employee: "ada",
      amount: 40,
      description: "taxi to the airport",
    });
    expect(run.status).toBe("succeeded");
    expect(run.output).toEqual({ status: "booked", category: "travel" });
    expect(booked).toHaveLength(1);
    decider.assertConsumed();
    await runtime.close();
  });

  it("waits for a manager above the limit, then books once approved", async () => {
    const { runtime, booked } = setUp([
      { branch: "equipment", reason: "a laptop", confidence: 0.95 },
    ]);
    const run = await runtime.start("expense_claim", {
      employee: "grace",
      amount: 1400,
      description: "new laptop",
    });
    expect(run.status).toBe("waiting");
    expect(booked).toHaveLength(0);
    const approved = await runtime.approve(run.id, { by: "manager", comment: "ok" });
    expect(approved.status).toBe("succeeded");
    expect(booked).toHaveLength(1);
    const { decisions } = await runtime.get(run.id);
    expect(decisions.map((decision) => \`\${decision.node}:\${decision.choice}\`)).toEqual([
      "categorize:equipment",
      "approve:approved",
    ]);
    await runtime.close();
  });
});
`;

const SUITE = `${JSON.stringify(
  {
    kind: "workflow",
    name: "expense-claim",
    description: "expense_claim (from signalbox.config.ts) on a few claims, offline",
    workflow: "expense_claim",
    dataset: "expense-claim.cases.jsonl",
    models: [{ name: "offline", model: "offline" }],
  },
  null,
  2,
)}\n`;

const CASES = [
  {
    id: "taxi",
    input: { employee: "ada", amount: 45, description: "taxi to the airport" },
    expect: {
      routes: { categorize: "travel" },
      status: "succeeded",
      effects: ["book"],
      output: { status: "booked" },
    },
  },
  {
    id: "monitor",
    input: { employee: "alan", amount: 230, description: "an external monitor for my desk" },
    expect: { routes: { categorize: "equipment" }, status: "succeeded", effects: ["book"] },
  },
  {
    id: "big-laptop",
    input: { employee: "grace", amount: 1800, description: "new laptop" },
    expect: { routes: { categorize: "equipment" }, status: "waiting", noEffects: ["book"] },
  },
  {
    id: "not-a-number",
    input: { employee: "ada", amount: -5, description: "taxi" },
    expect: { status: "rejected" },
  },
]
  .map((row) => JSON.stringify(row))
  .join("\n");

const TSCONFIG = `${JSON.stringify(
  {
    compilerOptions: {
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      strict: true,
      noUncheckedIndexedAccess: true,
      allowImportingTsExtensions: true,
      noEmit: true,
      types: ["node"],
    },
    include: ["signalbox.config.ts", "src", "test"],
  },
  null,
  2,
)}\n`;

function readme(name: string): string {
  return `# ${name}

A [signalbox](https://www.npmjs.com/package/signalbox) project: \`signalbox.config.ts\` says which
workflows every \`signalbox\` command here hosts. It starts with one, \`expense_claim\`
(\`src/expense-claim.ts\`): a route picks the category, claims above 500 EUR wait for a
manager's approval, and a write step books the claim once (keyed by the run's idempotency key).

After \`npm install\`, the next three commands (offline, no API key):

\`\`\`sh
npx signalbox run expense_claim --input '${EXAMPLE_INPUT}'
npm test                                  # vitest: test/expense-claim.test.ts
npx signalbox eval expense-claim          # evals/expense-claim.json on evals/expense-claim.cases.jsonl
\`\`\`

A claim above the limit waits: \`npx signalbox run expense_claim --input '{"employee":"grace","amount":900,"description":"new laptop"}'\`,
then \`npx signalbox approve <first 8 characters of the run id> --by you\`.

Runs, decisions and approvals live in \`.signalbox/\` (SQLite); \`npx signalbox runs\` lists them,
\`npx signalbox show <run>\` explains one. To use the workflows from an IDE or agent over MCP,
point its \`mcpServers\` config at \`npx signalbox mcp\` run in this folder (\`"command": "npx",
"args": ["signalbox", "mcp"], "cwd": "<this folder>"\`).
`;
}

const GITIGNORE = "node_modules/\n.signalbox/\n";

/** The scaffold, by path relative to the project directory. */
export function scaffoldFiles(options: ScaffoldOptions): Record<string, string> {
  return {
    "package.json": packageJson(options),
    "signalbox.config.ts": CONFIG,
    "src/expense-claim.ts": WORKFLOW,
    "test/expense-claim.test.ts": TEST,
    "evals/expense-claim.json": SUITE,
    "evals/expense-claim.cases.jsonl": `${CASES}\n`,
    "tsconfig.json": TSCONFIG,
    "README.md": readme(options.name),
    ".gitignore": GITIGNORE,
  };
}
