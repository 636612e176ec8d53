import { z } from "zod";
import { defineTool, type Tool } from "../../tools/define-tool.ts";
import { HelpCenter } from "./help-center/help-center.ts";
import type { SupportData } from "./support-data.ts";
import { policyFor, SERVICE_COMPONENTS, serviceStatus } from "./support-desk.ts";

const CustomerId = z.string().trim().min(1).max(64).describe("The customer's id, e.g. C-1001");

/** The names of the technical agent's tools: its allow-list. */
export const SUPPORT_TOOL_NAMES = [
  "search_help_center",
  "get_order_status",
  "check_service_status",
  "open_ticket",
] as const;

/**
 * The tools the technical agent of support_triage may call: help-centre search,
 * order status and service status (reads) and `open_ticket` (a write, once per
 * run and customer; a person approves it for customers on the free plan).
 */
export function createSupportTools(data: SupportData, helpCenter = new HelpCenter()): Tool[] {
  const search = defineTool({
    name: "search_help_center",
    description:
      "Full-text search of the Fieldnote help centre. Returns up to 3 articles (id, title, text, score); `relevant` is false when an article only shares a word or two with the question. Cite the id of the article your answer uses.",
    input: z.object({
      query: z.string().trim().min(1).max(500).describe("The problem in the customer's words"),
    }),
    effect: "read",
    run: ({ query }) => ({
      results: helpCenter.search(query).map((hit) => ({
        id: hit.id,
        title: hit.title,
        text: hit.excerpt,
        score: hit.score,
        relevant: HelpCenter.answers(hit),
      })),
    }),
  });
  const orderStatus = defineTool({
    name: "get_order_status",
    description:
      "The status, amount and age of one of the customer's orders, by order number. Only this customer's orders are found.",
    input: z.object({
      customerId: CustomerId,
      orderId: z
        .string()
        .trim()
        .regex(/^\d{4}$/, "an order number has 4 digits, e.g. 5012"),
    }),
    effect: "read",
    run: ({ customerId, orderId }) => {
      const order = data.orders(customerId).find((candidate) => candidate.id === orderId);
      if (order === undefined)
        return { found: false, reason: `order #${orderId} is not on this account` };
      const daysAgo = Math.floor((Date.now() - Date.parse(order.placedAt)) / 86_400_000);
      return { found: true, orderId, status: order.status, amount: order.amount, daysAgo };
    },
  });
  const status = defineTool({
    name: "check_service_status",
    description:
      "The status page: whether sign-in, sync, exports, the API, email or webhooks have an ongoing incident. Leave component out for all of them.",
    input: z.object({ component: z.enum(SERVICE_COMPONENTS).optional() }),
    effect: "read",
    run: ({ component }) => ({ components: serviceStatus(component) }),
  });
  const openTicket = defineTool({
    name: "open_ticket",
    description:
      "Opens a support ticket for an engineer when no help-centre article solves the problem. Once per run and customer.",
    input: z.object({
      customerId: CustomerId,
      subject: z.string().trim().min(1).max(200).describe("The problem in one line"),
      severity: z.enum(["low", "normal", "high"]),
    }),
    effect: "write",
    idempotencyKey: (input) => input.customerId,
    requiresApproval: (input) =>
      policyFor(data.customer(input.customerId)?.plan).ticketNeedsApproval,
    run: (input, context) => data.openTicket(context.idempotencyKey, input),
  });
  return [search, orderStatus, status, openTicket] as Tool[];
}
