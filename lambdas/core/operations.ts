/**
 * The operator's read-only use cases (`uplock orders list|show`, `stats`, `export`): pure
 * functions over orders, so the tool's commands stay thin and these rules are unit-tested.
 */
import type { OrderDetail, OrderStatusFilter, OrderSummary, ShopStats, TimelineEntry } from '../contract';
import { rerunEmail } from './emails';
import { uploadKey, type OrderId } from './ids';
import { claimDurationMs, isSafeArtifactName, ProcessingError, type JobBlobs, type JobSettings, type Processor } from './job';
import { noLinkReason, sendOrderLinks, type LookupDeps, type LookupSettings, type LookupToken, type NoLinkReason } from './lookup';
import { resultFileName, type Order } from './order';
import type { RefundRequest } from './payment';
import { mintToken } from './tokens';
import { extensionOf } from './validation';

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
 * The order's history, oldest first: the times its fields record (created, job, paid, delivered,
 * refunded, disputed) and the entries noted where they happen (downloads, emails, operator
 * actions: `history`). Nothing is invented: an event without a recorded time is not listed.
 */
export function orderTimeline(order: Order): TimelineEntry[] {
  const entries: TimelineEntry[] = [{ at: order.createdAt, kind: 'created', detail: { fileName: order.fileName, size: order.size } }];
  if (order.jobStartedAt) entries.push({ at: order.jobStartedAt, kind: 'uploaded' });
  if (order.jobEndedAt && order.job === 'done') entries.push({ at: order.jobEndedAt, kind: 'job_done', ...(order.primaryArtifact ? { detail: { result: order.primaryArtifact } } : {}) });
  if (order.jobEndedAt && order.job === 'failed') entries.push({ at: order.jobEndedAt, kind: 'job_failed', ...(order.jobError ? { detail: { code: order.jobError.code } } : {}) });
  if (order.paidAt) {
    entries.push({
      at: order.paidAt,
      kind: 'paid',
      detail: { ...(order.sessionId ? { sessionId: order.sessionId } : {}), ...(order.amount !== undefined ? { amount: order.amount, currency: order.currency } : {}) },
    });
  }
  if (order.deliveredAt) {
    entries.push({
      at: order.deliveredAt,
      kind: 'delivered',
      detail: { ...(order.sessionId ? { sessionId: order.sessionId } : {}), ...(order.amount !== undefined ? { amount: order.amount, currency: order.currency } : {}) },
    });
    // deliverIfDue marks the order delivered once the email with the link is out.
    entries.push({ at: order.deliveredAt, kind: 'email', detail: { template: 'delivery', to: order.payerEmail ?? order.email } });
  }
  if (order.refundedAt) entries.push({ at: order.refundedAt, kind: 'refunded' });
  if (order.disputedAt) entries.push({ at: order.disputedAt, kind: 'disputed' });
  entries.push(...(order.history ?? []));
  // A stable sort: entries with the same time keep the order above (delivered before its email).
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

// ---------------------------------------------------------------------------------------------
// The operator's actions on one order (`uplock orders resend|refund|extend|rerun`). Each is one
// use case through the ports; the commands in bin/commands/orders.ts only parse and print.
// ---------------------------------------------------------------------------------------------

/** A deliberate refusal: the code and message reach the operator as they are (exit 1). */
export class OperationRefused extends Error {
  override name = 'OperationRefused';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** What the operator's actions need of the OrderStore beyond what the functions use. */
export interface OperationsStore {
  /** Append an entry to the order's `history` (its timeline); false when there is no such order. */
  recordOrderEvent(orderId: OrderId, entry: TimelineEntry): Promise<void>;
  /** Every download token the order lists, as stored now. */
  tokensOfOrder(orderId: OrderId): Promise<LookupToken[]>;
  /**
   * Set a token's count and expiry, only if it is not revoked and still holds `expected` (a
   * download or a revocation in between refuses the write; the caller reads again).
   */
  extendToken(hash: string, expected: { downloadsLeft: number; expiresAt: number }, next: { downloadsLeft: number; expiresAt: number }): Promise<boolean>;
  /** Take the rerun claim: job done, and no rerun claim or an expired one. */
  claimRerun(orderId: OrderId, revision: number, now: number, expiresAt: number): Promise<boolean>;
  /** Serve `revision` from now on (its primary file first in `resultFiles`), if this rerun still holds the claim. */
  finishRerun(orderId: OrderId, revision: number, primaryArtifact: string, resultFiles: readonly string[]): Promise<boolean>;
  releaseRerun(orderId: OrderId, revision: number): Promise<void>;
}

type OrderReader = { getOrder(orderId: OrderId): Promise<Order | undefined>; getTombstone?(orderId: OrderId): Promise<{ erasedAt: string } | undefined> };

/** The order, or a refusal naming why there is none (never existed, or erased). */
export async function existingOrder(orderId: OrderId, store: OrderReader): Promise<Order> {
  const order = await store.getOrder(orderId);
  if (order) return order;
  const tombstone = await store.getTombstone?.(orderId);
  if (tombstone) throw new OperationRefused('order_erased', `Order ${orderId} was erased on ${tombstone.erasedAt}: nothing of it is left but its tombstone.`);
  throw new OperationRefused('order_not_found', `No order ${orderId}.`);
}

const NO_LINK_MESSAGES: Record<NoLinkReason, string> = {
  not_paid: 'it is not paid',
  refunded: 'it was refunded',
  disputed: 'its payment is disputed',
  no_result: 'its job has no result',
};

/** `uplock orders resend`: a fresh link by email, under the rules of the buyer's own lookup (core/lookup.ts). */
export async function resendOrder(
  orderId: OrderId,
  deps: LookupDeps & { store: LookupDeps['store'] & OrderReader; dryRun?: boolean },
): Promise<{ orderId: OrderId; to: string; sent: boolean; dryRun?: true }> {
  const order = await existingOrder(orderId, deps.store);
  const reason = noLinkReason(order);
  if (reason) throw new OperationRefused(`no_link_${reason}`, `Order ${orderId} gets no download link: ${NO_LINK_MESSAGES[reason]}.`);
  // The result went to the payer; the lookup's rules decide whether a link is due.
  const to = order.payerEmail ?? order.email;
  if (deps.dryRun) return { orderId, to, sent: false, dryRun: true };
  await sendOrderLinks(to, [order], order.lang, deps, 'resend');
  return { orderId, to, sent: true };
}

export interface RefundDeps {
  readonly store: OrderReader & Pick<OperationsStore, 'recordOrderEvent'>;
  readonly payments: { refund(request: RefundRequest): Promise<{ id: string; status: string }> };
  /** Check only: say whether a refund would be made, call nothing. */
  readonly dryRun?: boolean;
  readonly now?: () => number;
}

export interface RefundOutcome {
  orderId: OrderId;
  /** `requested`: Stripe took it (the refund event then revokes the links and emails the buyer). */
  outcome: 'requested' | 'already_refunded' | 'would_refund';
  refundId?: string;
  status?: string;
}

/**
 * `uplock orders refund`: a full refund through Stripe. The idempotency key is the order's own,
 * so a second call (or a retry after a crash) is answered with the first refund, never a second;
 * the links are revoked and the buyer emailed by the `charge.refunded` event, the path every
 * refund takes (core/stripe-events.ts), whoever started it.
 */
export async function refundOrderPayment(orderId: OrderId, reason: string | undefined, deps: RefundDeps): Promise<RefundOutcome> {
  const order = await existingOrder(orderId, deps.store);
  if (order.payment === 'refunded') return { orderId, outcome: 'already_refunded' };
  if (order.disputedAt) throw new OperationRefused('disputed', `Order ${orderId} is disputed: a disputed payment cannot be refunded; answer the dispute in the Stripe Dashboard.`);
  if (order.payment !== 'paid') throw new OperationRefused('not_paid', `Order ${orderId} is not paid (payment: ${order.payment}): there is nothing to refund.`);
  if (!order.paymentIntentId) throw new OperationRefused('no_payment_intent', `Order ${orderId} has no recorded payment intent: refund it in the Stripe Dashboard.`);
  if (deps.dryRun) return { orderId, outcome: 'would_refund' };
  const refund = await deps.payments.refund({
    paymentIntentId: order.paymentIntentId,
    reason: 'requested_by_customer',
    idempotencyKey: `uplock-operator-refund-${orderId}`,
    // Metadata is part of the idempotent request: a later call with another --reason is refused by Stripe, not refunded again.
    metadata: { uplock_order: orderId, uplock_reason: reason ?? 'refunded by the operator' },
  });
  await deps.store
    .recordOrderEvent(orderId, { at: new Date((deps.now ?? Date.now)()).toISOString(), kind: 'refund_requested', detail: { refundId: refund.id, ...(reason ? { reason } : {}) } })
    .catch(() => undefined);
  return { orderId, outcome: 'requested', refundId: refund.id, status: refund.status };
}

export interface ExtendDeps {
  readonly store: OrderReader & Pick<OperationsStore, 'recordOrderEvent' | 'tokensOfOrder' | 'extendToken'>;
  /** Say what each link would become; write nothing. */
  readonly dryRun?: boolean;
  readonly now?: () => number;
}

export interface ExtendedLink {
  /** The first characters of the token's hash: enough to tell links apart, useless to download with. */
  link: string;
  downloadsLeft: number;
  expiresAt: string;
}

/**
 * `uplock orders extend`: N more downloads and D more days on every link of the order that is
 * not revoked. Days count from the link's expiry, or from now for a link that has expired.
 */
export async function extendOrderLinks(
  orderId: OrderId,
  add: { downloads?: number; days?: number },
  deps: ExtendDeps,
): Promise<{ orderId: OrderId; extended: ExtendedLink[]; revoked: number; dryRun?: true }> {
  const order = await existingOrder(orderId, deps.store);
  if (order.payment === 'refunded') throw new OperationRefused('refunded', `Order ${orderId} was refunded: its links stay revoked.`);
  if (order.disputedAt) throw new OperationRefused('disputed', `Order ${orderId} is disputed: its links stay revoked.`);
  const downloads = add.downloads ?? 0;
  const days = add.days ?? 0;
  if (downloads <= 0 && days <= 0) throw new OperationRefused('nothing_to_add', 'Give --downloads N, --days D or both.');
  const now = (deps.now ?? Date.now)();
  const extended: ExtendedLink[] = [];
  let revoked = 0;
  for (const first of await deps.store.tokensOfOrder(orderId)) {
    let token: LookupToken | undefined = first;
    // A download between the read and the write refuses it: read again, a few times.
    for (let attempt = 0; token && attempt < 5; attempt++) {
      if (token.revoked) {
        revoked++;
        break;
      }
      const next = {
        downloadsLeft: Math.max(0, token.downloadsLeft) + downloads,
        expiresAt: days > 0 ? Math.max(token.expiresAt, Math.floor(now / 1000)) + days * 86400 : token.expiresAt,
      };
      if (deps.dryRun || (await deps.store.extendToken(token.hash, { downloadsLeft: token.downloadsLeft, expiresAt: token.expiresAt }, next))) {
        extended.push({ link: token.hash.slice(0, 12), downloadsLeft: next.downloadsLeft, expiresAt: new Date(next.expiresAt * 1000).toISOString() });
        break;
      }
      const hash: string = token.hash;
      token = (await deps.store.tokensOfOrder(orderId)).find((t) => t.hash === hash);
    }
  }
  if (extended.length === 0 && revoked === 0) throw new OperationRefused('no_links', `Order ${orderId} has no download links yet (it is delivered once paid and done).`);
  if (deps.dryRun) return { orderId, extended, revoked, dryRun: true };
  await deps.store
    .recordOrderEvent(orderId, { at: new Date(now).toISOString(), kind: 'extended', detail: { downloads, days, links: extended.length } })
    .catch(() => undefined);
  return { orderId, extended, revoked };
}

export interface RerunDeps {
  readonly store: OrderReader & Pick<OperationsStore, 'recordOrderEvent' | 'claimRerun' | 'finishRerun' | 'releaseRerun'> & LookupDeps['store'];
  readonly blobs: Pick<JobBlobs, 'getInput' | 'putResult' | 'putPreview'>;
  readonly processor: Processor;
  readonly mailer: LookupDeps['mailer'];
  /** `claimMs`: the rerun holds its claim as long as a run of the job does (config `job.claimSeconds`, core/job.ts claimDurationMs). */
  readonly settings: LookupSettings &
    Pick<JobSettings, 'claimMs'> & { readonly maxUploadBytes: number; readonly acceptedExtensions: readonly string[]; readonly retentionDays: number };
  /** Email a paid buyer a link to the new result (default). A broadcast's rerun mails its own email instead. */
  readonly notify?: boolean;
  readonly now?: () => number;
}

export interface RerunOutcome {
  orderId: OrderId;
  revision: number;
  primary: string;
  /** The paid buyer was emailed a link to the new result. */
  emailed: boolean;
}

export interface RerunPlan {
  orderId: OrderId;
  /** The revision a rerun would make. */
  revision: number;
  processor: string;
  fileName: string;
  /** Bytes of the stored upload. */
  size: number;
  /** A paid buyer would be emailed a link to the new result. */
  emailed: boolean;
  dryRun: true;
}

/**
 * `uplock orders rerun --dry-run`: every check the rerun makes before it runs the processor (the
 * order, its job, a rerun in flight, the stored upload, today's processor taking its type), and
 * what it would do; it takes no claim, runs nothing, writes nothing and sends nothing.
 */
export async function rerunPlan(orderId: OrderId, deps: Pick<RerunDeps, 'store' | 'blobs' | 'processor' | 'settings' | 'notify' | 'now'>): Promise<RerunPlan> {
  const order = await existingOrder(orderId, deps.store);
  if (order.job !== 'done') throw noResult(order);
  if (order.rerunClaim && order.rerunClaim.expiresAt > (deps.now ?? Date.now)()) throw rerunRunning(orderId);
  const input = await deps.blobs.getInput(uploadKey(orderId));
  if (!input) throw uploadExpired(order, deps.settings.retentionDays);
  // Only the object's facts are needed: leave its body unread.
  await input.body[Symbol.asyncIterator]().return?.();
  const fileName = input.fileName ?? order.fileName;
  if (!deps.settings.acceptedExtensions.includes(extensionOf(fileName))) throw notAccepted(fileName, deps.processor);
  return {
    orderId,
    revision: (order.resultRevision ?? 1) + 1,
    processor: deps.processor.name,
    fileName,
    size: input.size,
    emailed: deps.notify !== false && noLinkReason(order) === undefined,
    dryRun: true,
  };
}

const noResult = (order: Order) =>
  new OperationRefused('no_result', `Order ${order.orderId} has no result to run again (job: ${order.job}${order.job === 'failed' ? '; a failed job was refunded' : ''}).`);
const rerunRunning = (orderId: OrderId) => new OperationRefused('rerun_running', `A rerun of order ${orderId} is already running; try again when it has finished.`);
function uploadExpired(order: Order, retentionDays: number): OperationRefused {
  const expired = new Date(Date.parse(order.createdAt) + retentionDays * 86400_000).toISOString().slice(0, 10);
  return new OperationRefused(
    'upload_expired',
    `The upload of order ${order.orderId} is gone (uploads are kept ${retentionDays} days, until about ${expired}): it cannot run again. Its result stays as it is.`,
  );
}
const notAccepted = (fileName: string, processor: Processor) =>
  new OperationRefused('extension_not_accepted', `Today's processor (${processor.name}) does not accept ${extensionOf(fileName) || 'files without an extension'}; the order keeps its result.`);

/**
 * `uplock orders rerun`: the job again, on the stored upload, with this processor, as a new
 * revision of the result (`results/<orderId>/r<n>/`). The links keep serving the old revision
 * until the new one is complete and switched to in one conditional write; a failed rerun changes
 * nothing the buyer sees or paid for. A paid buyer is emailed a fresh link to the new result.
 */
export async function rerunOrder(orderId: OrderId, deps: RerunDeps): Promise<RerunOutcome> {
  const now = deps.now ?? Date.now;
  const order = await existingOrder(orderId, deps.store);
  if (order.job !== 'done') throw noResult(order);
  const revision = (order.resultRevision ?? 1) + 1;
  const startedAt = now();
  if (!(await deps.store.claimRerun(orderId, revision, startedAt, startedAt + claimDurationMs(deps.processor, deps.settings.claimMs)))) {
    throw rerunRunning(orderId);
  }
  const note = (detail: Record<string, unknown>) =>
    deps.store.recordOrderEvent(orderId, { at: new Date(now()).toISOString(), kind: 'rerun', detail: { revision, processor: deps.processor.name, ...detail } }).catch(() => undefined);
  const refuse = async (code: string, message: string): Promise<never> => {
    await deps.store.releaseRerun(orderId, revision);
    await note({ ok: false, code });
    throw new OperationRefused(code, message);
  };
  const refuseWith = (refusal: OperationRefused) => refuse(refusal.code, refusal.message);
  let primary: string;
  try {
    const input = await deps.blobs.getInput(uploadKey(orderId));
    if (!input) return await refuseWith(uploadExpired(order, deps.settings.retentionDays));
    const fileName = input.fileName ?? order.fileName;
    if (!deps.settings.acceptedExtensions.includes(extensionOf(fileName))) return await refuseWith(notAccepted(fileName, deps.processor));
    let result;
    try {
      result = await deps.processor.process({
        body: input.body,
        fileName,
        maxBytes: deps.settings.maxUploadBytes,
        lang: order.lang,
        orderId,
        generatedAt: new Date(now()).toISOString(),
      });
    } catch (error) {
      const why = error instanceof ProcessingError ? `${error.code}: ${error.detail ?? error.customerMessage}` : error instanceof Error ? error.message : String(error);
      return await refuse('rerun_failed', `The rerun of order ${orderId} failed (${why}). The order keeps its result and its payment.`);
    }
    try {
      if (!result.artifacts.some((a) => a.name === result.primary) || !result.artifacts.every((a) => isSafeArtifactName(a.name))) {
        return await refuse('rerun_failed', `The processor ${deps.processor.name} returned an invalid result (missing primary or unsafe file names). The order keeps its result.`);
      }
      for (const artifact of result.artifacts) {
        await deps.blobs.putResult(orderId, resultFileName({ resultRevision: revision }, artifact.name), artifact.body, artifact.contentType);
      }
    } finally {
      // A command job's result files are streamed from its work folder: free it once they are stored.
      await result.release?.();
    }
    const resultFiles = [result.primary, ...result.artifacts.map((a) => a.name).filter((name) => name !== result.primary)];
    if (!(await deps.store.finishRerun(orderId, revision, result.primary, resultFiles))) {
      throw new OperationRefused('rerun_overtaken', `The rerun of order ${orderId} outlived its claim and another took over; the order serves whichever finished.`);
    }
    primary = result.primary;
    // After the switch: the free preview follows the result the links serve.
    await deps.blobs.putPreview(orderId, result.preview);
  } catch (error) {
    if (!(error instanceof OperationRefused)) await deps.store.releaseRerun(orderId, revision).catch(() => undefined);
    throw error;
  }
  await note({ ok: true, result: primary });
  const current = (await deps.store.getOrder(orderId)) ?? order;
  let emailed = false;
  if (deps.notify !== false && noLinkReason(current) === undefined) {
    const to = current.payerEmail ?? current.email;
    const { token, hash } = mintToken();
    const { settings } = deps;
    await deps.store.attachToken({ hash, orderId, downloadsLeft: settings.downloadLimit, expiresAt: Math.floor(now() / 1000) + settings.linkTtlHours * 3600, revoked: false });
    await deps.mailer.send(
      to,
      rerunEmail({
        lang: current.lang,
        productName: settings.productName,
        orderId,
        fileName: current.fileName,
        files: current.resultFiles ?? [primary],
        downloadUrl: `${settings.siteUrl}/d/${token}`,
        downloadLimit: settings.downloadLimit,
        linkTtlHours: settings.linkTtlHours,
        orderUrl: `${settings.siteUrl}/order.html?id=${orderId}`,
      }),
    );
    await deps.store.recordOrderEvent(orderId, { at: new Date(now()).toISOString(), kind: 'email', detail: { template: 'rerun', to } }).catch(() => undefined);
    emailed = true;
  }
  return { orderId, revision, primary, emailed };
}
