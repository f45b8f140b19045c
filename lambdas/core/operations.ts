/**
 * The operator's read-only use cases (`uplock orders list|show`, `stats`, `export`): pure
 * functions over orders, so the tool's commands stay thin and these rules are unit-tested.
 */
import type { OrderDetail, OrderStatusFilter, OrderSummary, ShopStats, TimelineEntry } from '../contract';
import type { Order } from './order';

export interface OrderFilter {
  readonly status?: OrderStatusFilter;
  /** Exact address, compared case-insensitively. */
  readonly email?: string;
  /** Orders created at or after this instant. */
  readonly since?: Date;
}

export function matchesFilter(order: Order, filter: OrderFilter): boolean {
  if (filter.email && order.email.toLowerCase() !== filter.email.trim().toLowerCase()) return false;
  if (filter.since && Date.parse(order.createdAt) < filter.since.getTime()) return false;
  switch (filter.status) {
    case undefined:
      return true;
    case 'delivered':
      return Boolean(order.deliveredAt);
    case 'awaiting_upload':
    case 'processing':
    case 'done':
    case 'failed':
      return order.job === filter.status;
    default:
      return order.payment === filter.status;
  }
}

export function orderSummary(order: Order): OrderSummary {
  return {
    orderId: order.orderId,
    email: order.email,
    fileName: order.fileName,
    size: order.size,
    job: order.job,
    payment: order.payment,
    delivered: Boolean(order.deliveredAt),
    createdAt: order.createdAt,
    ...(order.amount !== undefined ? { amount: order.amount } : {}),
    ...(order.currency ? { currency: order.currency } : {}),
    ...(order.deliveredAt ? { deliveredAt: order.deliveredAt } : {}),
    ...(order.refundedAt ? { refundedAt: order.refundedAt } : {}),
    ...(order.disputedAt ? { disputedAt: order.disputedAt } : {}),
    ...(order.smoke ? { smoke: true } : {}),
  };
}

/** Newest first, at most `limit`. */
export function listOrders(orders: readonly Order[], filter: OrderFilter, limit = Number.POSITIVE_INFINITY): OrderSummary[] {
  return orders
    .filter((o) => matchesFilter(o, filter))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .slice(0, limit)
    .map(orderSummary);
}

/**
 * The order's history from the times it records, oldest first. Payment and job outcomes without
 * their own time are in the order's fields (OrderDetail), not invented here.
 */
export function orderTimeline(order: Order): TimelineEntry[] {
  const entries: TimelineEntry[] = [{ at: order.createdAt, kind: 'created', detail: { fileName: order.fileName, size: order.size } }];
  if (order.jobStartedAt) entries.push({ at: order.jobStartedAt, kind: 'uploaded' });
  if (order.deliveredAt) {
    entries.push({
      at: order.deliveredAt,
      kind: 'delivered',
      detail: { ...(order.sessionId ? { sessionId: order.sessionId } : {}), ...(order.amount !== undefined ? { amount: order.amount, currency: order.currency } : {}) },
    });
  }
  if (order.refundedAt) entries.push({ at: order.refundedAt, kind: 'refunded' });
  if (order.disputedAt) entries.push({ at: order.disputedAt, kind: 'disputed' });
  return entries.sort((a, b) => a.at.localeCompare(b.at));
}

export function orderDetail(order: Order): OrderDetail {
  return {
    ...orderSummary(order),
    ...(order.sessionId ? { sessionId: order.sessionId } : {}),
    ...(order.paymentIntentId ? { paymentIntentId: order.paymentIntentId } : {}),
    ...(order.payerEmail ? { payerEmail: order.payerEmail } : {}),
    ...(order.jobError ? { jobError: { code: order.jobError.code, message: order.jobError.message } } : {}),
    timeline: orderTimeline(order),
  };
}

const wasPaid = (o: Order) => o.payment === 'paid' || o.payment === 'refunded';

/** Orders of the shop's customers: smoke-test orders (`uplock smoke`) are not business. */
export const isCustomerOrder = (o: Order): boolean => o.smoke !== true;

/** The middle value (the mean of the two middle ones for an even count); undefined when empty. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : Math.round(((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2);
}

/** Milliseconds from `from` to `to` when both are recorded and in order. */
function span(from: string | undefined, to: string | undefined): number | undefined {
  if (!from || !to) return undefined;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

const defined = (values: (number | undefined)[]): number[] => values.filter((v): v is number => v !== undefined);

export function shopStats(orders: readonly Order[], since: Date): ShopStats {
  const inRange = orders.filter((o) => isCustomerOrder(o) && matchesFilter(o, { since }));
  const previews = inRange.filter((o) => o.job === 'done').length;
  const paid = inRange.filter(wasPaid);
  const revenue: Record<string, number> = {};
  // Revenue is what was kept: refunded orders count as paid and refunded, not as revenue.
  for (const o of paid) {
    if (o.payment !== 'paid' || o.amount === undefined || !o.currency) continue;
    revenue[o.currency] = (revenue[o.currency] ?? 0) + o.amount;
  }
  // Upload → preview: the job started on the upload's "Object Created" and finished with the preview.
  const uploadToPreview = median(defined(inRange.filter((o) => o.job === 'done').map((o) => span(o.jobStartedAt, o.jobEndedAt))));
  // Pay → email: the payment recorded as paid, then the delivery email sent (whichever came second).
  const payToEmail = median(defined(inRange.map((o) => span(o.paidAt, o.deliveredAt))));
  return {
    since: since.toISOString(),
    orders: inRange.length,
    previews,
    paid: paid.length,
    conversion: previews === 0 ? 0 : Math.round((paid.length / previews) * 1000) / 1000,
    revenue,
    refunds: inRange.filter((o) => o.payment === 'refunded').length,
    disputes: inRange.filter((o) => o.disputedAt).length,
    failedJobs: inRange.filter((o) => o.job === 'failed').length,
    ...(uploadToPreview !== undefined ? { medianUploadToPreviewMs: uploadToPreview } : {}),
    ...(payToEmail !== undefined ? { medianPayToEmailMs: payToEmail } : {}),
  };
}

export const EXPORT_COLUMNS = [
  'orderId',
  'createdAt',
  'email',
  'fileName',
  'job',
  'payment',
  'amount',
  'currency',
  'deliveredAt',
  'refundedAt',
  'disputedAt',
  'sessionId',
  'paymentIntentId',
] as const;

/**
 * One CSV cell (RFC 4180). Cells a spreadsheet would run as a formula (=, +, -, @, tab, CR) get a
 * leading apostrophe: file names and addresses come from customers.
 */
export function csvCell(value: unknown): string {
  let text = value === undefined || value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Orders for accounting, oldest first, amounts in minor units as Stripe counts them; no smoke-test orders. */
export function exportCsv(orders: readonly Order[], since?: Date): string {
  const rows = orders
    .filter((o) => isCustomerOrder(o) && matchesFilter(o, since ? { since } : {}))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
    .map((o) => EXPORT_COLUMNS.map((c) => csvCell((o as unknown as Record<string, unknown>)[c])).join(','));
  return [EXPORT_COLUMNS.join(','), ...rows].join('\r\n') + '\r\n';
}
