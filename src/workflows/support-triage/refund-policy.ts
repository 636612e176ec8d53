import { normalizeText } from "../../graph/normalize-text.ts";
import type { RefundCheck } from "./drafts.ts";
import type { Customer, Order } from "./support-data.ts";

/** Orders older than this many days are not refunded. */
export const REFUND_WINDOW_DAYS = 30;

/** Applies the refund policy to the order the message refers to (or the latest one). */
export function checkRefund(
  message: string,
  customer: Customer,
  orders: readonly Order[],
): RefundCheck {
  // Normalised as the route saw it: a fullwidth "５０２０" is order 5020, not "no order named".
  const mentioned =
    normalizeText(message)
      .match(/#?\b(\d{4})\b/g)
      ?.map((token) => token.replace("#", "")) ?? [];
  const order = orders.find((candidate) => mentioned.includes(candidate.id));
  const foreign = mentioned.find((id) => !orders.some((candidate) => candidate.id === id));
  // A named order that is not on this account is never swapped for one that is.
  if (order === undefined && foreign !== undefined) {
    return {
      eligible: false,
      orderId: null,
      amount: 0,
      reason: `order #${foreign} is not on this account`,
    };
  }
  return checkOrder(order ?? orders[0], customer);
}

function checkOrder(order: Order | undefined, customer: Customer): RefundCheck {
  if (order === undefined)
    return {
      eligible: false,
      orderId: null,
      amount: 0,
      reason: "there is no order on this account",
    };
  const ageDays = (Date.now() - Date.parse(order.placedAt)) / 86_400_000;
  const base = { orderId: order.id, amount: order.amount };
  if (customer.status !== "active")
    return { ...base, eligible: false, reason: `the account is ${customer.status}` };
  if (order.status === "refunded")
    return { ...base, eligible: false, reason: `order #${order.id} was already refunded` };
  if (ageDays > REFUND_WINDOW_DAYS)
    return {
      ...base,
      eligible: false,
      reason: `order #${order.id} is older than ${REFUND_WINDOW_DAYS} days`,
    };
  return {
    ...base,
    eligible: true,
    reason: `order #${order.id} is within the ${REFUND_WINDOW_DAYS}-day window`,
  };
}
