import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Runtime } from "../../src/runtime/runtime.ts";
import { type SignalboxHttpServer, startHttpServer } from "../../src/server/http-server.ts";
import type { RunRecord } from "../../src/store/types.ts";
import { createBuiltinWorkflows } from "../../src/workflows/index.ts";
import { REPO_ROOT } from "../fixtures/child-process.ts";
import { writeEvalResult } from "../fixtures/eval-result.ts";
import { describeRequired } from "../support/required.ts";
import { openTestRuntime, tempHome } from "../support/runtime.ts";

// The dashboard in Debian's Chromium, driven by playwright-core, over a real server,
// store and the shipped workflow. Screenshots land in test-artifacts/ (gitignored).

const CHROMIUM = process.env.SIGNALBOX_CHROMIUM ?? "/usr/bin/chromium";
const SHOTS = join(REPO_ROOT, "test-artifacts", "screenshots");
const TOKEN = "browser-test-token-0123456789";

let runtime: Runtime;
let open: SignalboxHttpServer;
let guarded: SignalboxHttpServer;
let context: BrowserContext;
let page: Page;
const cleanups: (() => void)[] = [];
const runs = {} as Record<"refund" | "large" | "legal", RunRecord>;

const origin = (server: SignalboxHttpServer) => server.url.replace(/\/mcp$/, "");
const example = (name: string) =>
  JSON.parse(readFileSync(join(REPO_ROOT, "examples", `${name}.json`), "utf8")) as unknown;
const shot = (name: string) =>
  page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

describeRequired(
  "the dashboard in a browser",
  existsSync(CHROMIUM) ? undefined : `Chromium at ${CHROMIUM} (apt-get install -y chromium)`,
  () => {
    beforeAll(async () => {
      const temp = tempHome("signalbox-browser-");
      cleanups.push(temp.cleanup);
      ({ runtime } = openTestRuntime(temp.home, createBuiltinWorkflows(temp)));
      runs.refund = await runtime.start("support_triage", example("refund-request"));
      runs.large = await runtime.start("support_triage", example("large-refund"));
      runs.legal = await runtime.start("support_triage", example("legal-threat"));
      writeEvalResult(temp.home, "eval-2026-01", "2026-01-01T00:00:00.000Z");
      writeEvalResult(temp.home, "eval-2026-02", "2026-02-01T00:00:00.000Z");
      const evalsDirectory = join(temp.home, "evals");
      open = await startHttpServer(runtime, { port: 0, evalsDirectory });
      guarded = await startHttpServer(runtime, { port: 0, evalsDirectory, token: TOKEN });
      mkdirSync(SHOTS, { recursive: true });
      const profile = mkdtempSync(join(tmpdir(), "signalbox-chromium-"));
      cleanups.push(() => rmSync(profile, { recursive: true, force: true }));
      context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: [
          "--no-sandbox",
          "--disable-gpu",
          "--disable-background-networking",
          "--disable-component-update",
          "--no-first-run",
        ],
        viewport: { width: 1400, height: 900 },
      });
      page = context.pages()[0] ?? (await context.newPage());
    });

    afterAll(async () => {
      await context?.close();
      await open?.close();
      await guarded?.close();
      await runtime?.close();
      for (const cleanup of cleanups) cleanup();
    });

    it("opens the runs list, newest first", async () => {
      await page.goto(`${origin(open)}/`);
      const rows = page.locator("table.runs tbody tr");
      await expect.poll(() => rows.count()).toBe(3);
      expect(
        await rows.evaluateAll((all) => all.map((row) => row.getAttribute("data-run-id"))),
      ).toEqual([runs.legal.id, runs.large.id, runs.refund.id]);
      await shot("runs-list");
    });

    it("opens a run and shows its path through the graph and the reasons", async () => {
      await page.goto(`${origin(open)}/#/runs`);
      await page.locator(`tr[data-run-id="${runs.refund.id}"] a`).click();
      await page.getByTestId("path").waitFor();
      expect(await page.getByTestId("path").textContent()).toMatch(
        /^lookup_customer → .*classify_intent → .*approve_refund → .*end$/,
      );
      const taken = page.locator('svg.graph g.node[data-taken="true"]');
      expect(
        await taken.evaluateAll((nodes) => nodes.map((node) => node.getAttribute("data-node"))),
      ).toEqual(expect.arrayContaining(["start", "classify_intent", "approve_refund", "end"]));
      const classify = page.locator('tr[data-decision="classify_intent"]');
      expect(await classify.locator(".choice").textContent()).toBe("refund");
      expect((await classify.locator(".reason").textContent())?.length).toBeGreaterThan(10);
      // Reply drafting is the draft_reply sub-workflow: its decision sits under its step,
      // then the dispatch_reply route (issue 16). Read from the store: the run's checkpoints
      // are pruned once it settles.
      expect(
        await page
          .locator("table.decisions tbody tr[data-decision]")
          .evaluateAll((rows) => rows.map((row) => row.getAttribute("data-decision"))),
      ).toEqual([
        "classify_intent",
        "draft_reply/review_draft",
        "dispatch_reply",
        "approve_refund",
      ]);
      const review = page.locator('tr[data-decision="draft_reply/review_draft"]');
      expect(await review.getAttribute("data-step")).toBe("draft_reply");
      expect(await review.locator("td.node").textContent()).toBe("review_draft");
      expect(
        await review.evaluate(
          (row) => row.previousElementSibling?.getAttribute("data-step-heading") ?? null,
        ),
      ).toBe("draft_reply");
      await shot("run");
    });

    it("filters runs by input text and by escalation", async () => {
      await page.goto(`${origin(open)}/#/runs`);
      await page.locator('input[name="q"]').fill("lawyer");
      await page.getByRole("button", { name: "Filter" }).click();
      const rows = page.locator("table.runs tbody tr");
      await expect.poll(() => rows.count()).toBe(1);
      expect(await rows.first().getAttribute("data-run-id")).toBe(runs.legal.id);
      await page.locator('input[name="q"]').fill("");
      await page.locator('select[name="escalated"]').selectOption("false");
      await page.getByRole("button", { name: "Filter" }).click();
      await expect.poll(() => rows.count()).toBe(2);
      expect(page.url()).toContain("escalated=false");
    });

    it("signs in with the token, approves a waiting run from the inbox and watches it complete", async () => {
      await page.goto(`${origin(guarded)}/#/approvals`);
      await page.locator('input[name="token"]').fill(TOKEN);
      await page.locator('input[name="user"]').fill("carol");
      await page.getByRole("button", { name: "Sign in" }).click();
      const entry = page.locator(`li.inbox-entry[data-run-id="${runs.large.id}"]`);
      await entry.waitFor();
      await shot("approvals");
      await entry.locator("textarea").fill("order 5031 checked");
      await entry.getByRole("button", { name: "Approve" }).click();
      await page.locator("li.inbox-entry").first().waitFor({ state: "detached" });
      await page.goto(`${origin(guarded)}/#/runs/${runs.large.id}`);
      await page.locator("h1 .status.succeeded").waitFor();
      expect(await page.locator(".approvals .audit").textContent()).toMatch(
        /approved by carol .*“order 5031 checked”/,
      );
      expect((await runtime.store.getRun(runs.large.id))?.status).toBe("succeeded");
    });

    it("opens an eval result and compares two", async () => {
      await page.goto(`${origin(open)}/#/evals`);
      await page.locator('tr[data-eval-id="eval-2026-02"] a').first().click();
      const result = page.locator('article.eval[data-eval="eval-2026-02"]');
      await result.waitFor();
      expect(await result.getByTestId("pass-rate").textContent()).toBe("1 / 2 (50.0%)");
      await page.locator('tr[data-eval-id="eval-2026-01"]').getByText("compare").click();
      await page.locator('article.eval[data-eval="eval-2026-01"]').waitFor();
      expect(await page.locator("article.eval").count()).toBe(2);
      await shot("evals");
    });

    it("shows workflows and outcomes", async () => {
      await page.goto(`${origin(open)}/#/workflows`);
      await page.locator('article.workflow[data-workflow="support_triage"] svg.graph').waitFor();
      await page.goto(`${origin(open)}/#/outcomes`);
      await expect.poll(() => page.locator("table.outcomes tbody tr").count()).toBeGreaterThan(0);
      expect(await page.locator("table.outcomes tbody tr td").nth(2).textContent()).toBe("3");
      await shot("outcomes");
    });

    it("shows an agent's tool calls nested under its step, in order", async () => {
      const technical = await runtime.start("support_triage", example("technical-request"));
      await page.goto(`${origin(open)}/#/runs/${technical.id}`);
      await page.getByTestId("path").waitFor();
      const heading = page.locator('tr[data-step-heading="solve_technical"]');
      await heading.waitFor();
      const calls = page.locator('tr.nested[data-step="solve_technical"]');
      expect(await calls.locator("td.node").allTextContents()).toEqual(
        expect.arrayContaining(["tool call 1", "tool call 2"]),
      );
      expect(await calls.locator(".choice").allTextContents()).toEqual(
        expect.arrayContaining(["search_help_center", "check_service_status"]),
      );
      expect(
        await heading.evaluate((row) => row.nextElementSibling?.getAttribute("data-step") ?? null),
      ).toBe("solve_technical");
      await shot("run-technical");
    });
  },
);
