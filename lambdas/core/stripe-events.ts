/**
 * handleStripeEvent: every Stripe event, whatever brought it (webhook, EventBridge event
 * destination, sweeper), goes through here. Idempotent and order-independent: every state change
 * is a forward-only conditional transition, refunds carry idempotency keys derived from their
 * cause, delivery mails one derived link, and customer emails are guarded by once-only markers —
 * so a replay, a race or a late, out-of-order event changes nothing. Which event ids were handled
 * is the caller's concern (Powertools idempotency, adapters/stripe-event-idempotency.ts): it runs
 * this again for an event whose earlier attempt died half-way, and that must complete it.
 */
import { HANDLED_STRIPE_EVENT_TYPES, type TimelineEntry } from '../contract';
import { deliverIfDue, type DeliveryDeps, type DeliveryStore } from './delivery';
import { refundEmail, type RefundKind } from './emails';
import type { Fault } from './faults';
import { parseOrderId, type OrderId } from './ids';
import { noResultRefundKey, type Order, type PaymentState } from './order';
import {
  ALREADY_REFUNDED,
  checkSession,
  paymentIntentOf,
  paymentIntentOfCharge,
  paymentStateOf,
  payerEmailOf,
  permanentRefundRefusal,
  type ChargeFacts,
  type DisputeFacts,
  type ExpectedPayment,
  type RefundRequest,
  type SessionFacts,
} from './payment';
export interface StripeEvent {
  readonly id: string;
  readonly type: string;
  readonly data: { readonly object: unknown };
}

export interface PaymentRecordFacts {
  readonly sessionId: string;
  readonly paymentIntentId?: string;
  readonly amount: number;
  readonly currency: string;
  readonly payerEmail?: string;
}

export interface EventStore extends DeliveryStore {
  /** `onlySession`: move only if the order's recorded session is that one. */
  setPayment(orderId: OrderId, to: PaymentState, record?: PaymentRecordFacts, opts?: { onlySession?: string }): Promise<boolean>;
  /** Once-only markers: Stripe event ids, and keys for one-time side effects. False when seen. */
  rememberEvent(key: string, ttlSeconds: number): Promise<boolean>;
  /** Whether a once-only marker is written (a consistent read; writes nothing). */
  seenEvent(key: string): Promise<boolean>;
  forgetEvent(key: string): Promise<void>;
  /** Remember which order a PaymentIntent paid; returns what arrived for it before (see noteEarly). */
  linkPaymentIntent(paymentIntentId: string, orderId: OrderId): Promise<EarlyEvents>;
  orderIdForPaymentIntent(paymentIntentId: string): Promise<OrderId | undefined>;
  /** A refund or dispute for a PaymentIntent no order claims yet: kept until the payment shows up. */
  noteEarly(paymentIntentId: string, what: keyof EarlyEvents): Promise<void>;
  revokeTokens(orderId: OrderId): Promise<number>;
  markDisputed(orderId: OrderId): Promise<boolean>;
  clearCheckoutSession(orderId: OrderId, sessionId: string): Promise<void>;
  /** The tombstone of an erased order (core/erase.ts): its events are recognised, not taken for strangers'. */
  getTombstone?(orderId: OrderId): Promise<{ readonly paymentIntentId?: string; readonly erasedAt: string } | undefined>;
  /** Note an email on the order's timeline (`uplock orders show`). */
  recordOrderEvent?(orderId: OrderId, entry: TimelineEntry): Promise<void>;
}

/** Refunds and disputes that reached us before the payment they concern (Stripe does reorder). */
export interface EarlyEvents {
  readonly refunded?: boolean;
  readonly disputed?: boolean;
}

export interface EventPayments {
  refund(request: RefundRequest): Promise<{ id: string; status: string }>;
}

export type Report = (level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown>) => void;

export interface EventDeps extends DeliveryDeps {
  readonly store: EventStore;
  readonly payments: EventPayments;
  readonly expected: ExpectedPayment;
  readonly paymentMode: 'payment-link' | 'checkout-session';
  readonly report: Report;
  /** Metrics (CloudWatch in AWS): PaymentMismatch, Disputes, Refunds, RefundRefused. */
  readonly count?: (metric: 'PaymentMismatch' | 'Disputes' | 'Refunds' | 'RefundRefused') => void;
}

export type EventOutcome =
  | 'ignored_type'
  | 'unknown_order'
  | 'mismatch'
  | 'no_change'
  | 'recorded'
  | 'delivered'
  | 'refunded_duplicate'
  | 'refunded_no_result'
  | 'refunded_erased'
  | 'erased_order'
  | 'revoked'
  /** Stripe refused a refund for good (a disputed or missing charge): recorded, logged, counted, answered. */
  | 'refund_refused';

/** Stripe retries for up to three days; remember handled event ids well past that. */
export const EVENT_MEMORY_SECONDS = 7 * 24 * 3600;

export async function handleStripeEvent(event: StripeEvent, deps: EventDeps): Promise<EventOutcome> {
  await fault(deps)('event:received');
  return dispatch(event, deps);
}

const fault = (deps: { fault?: Fault }): Fault => deps.fault ?? (() => undefined);

/** A signed event whose body lacks what every event has: retrying it cannot help. */
export const isStripeEvent = (value: unknown): value is StripeEvent => {
  const v = value as Partial<StripeEvent> | null;
  return (
    typeof v?.id === 'string' &&
    v.id.length > 0 &&
    typeof v.type === 'string' &&
    typeof v.data === 'object' &&
    v.data !== null &&
    typeof v.data.object === 'object' &&
    v.data.object !== null
  );
};

/** The event types uplock acts on (declared in lambdas/contract.ts, which lib/payments.ts also reads). */
export const HANDLED_EVENT_TYPES = HANDLED_STRIPE_EVENT_TYPES;

type HandledType = (typeof HANDLED_EVENT_TYPES)[number];

const isHandled = (type: string): type is HandledType => (HANDLED_EVENT_TYPES as readonly string[]).includes(type);

async function dispatch(event: StripeEvent, deps: EventDeps): Promise<EventOutcome> {
  const type = event.type;
  if (!isHandled(type)) return 'ignored_type';
  const object = event.data.object;
  switch (type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded':
      return reconcileSession(object as SessionFacts, deps, event.id);
    case 'checkout.session.async_payment_failed':
      return asyncPaymentFailed(object as SessionFacts, deps, event.id);
    case 'checkout.session.expired':
      return sessionExpired(object as SessionFacts, deps);
    case 'charge.refunded':
      return chargeRefunded(object as ChargeFacts, deps, event.id);
    case 'charge.dispute.created':
      return disputeCreated(object as DisputeFacts, deps, event.id);
    default: {
      const unreachable: never = type;
      return unreachable;
    }
  }
}

/** The checks that need the order: in checkout-session mode the session must be the order's own. */
async function validatedOrder(
  session: SessionFacts,
  deps: EventDeps,
  eventId: string | undefined,
): Promise<{ order: Order } | { outcome: 'mismatch' | 'unknown_order' | 'erased_order' | 'refunded_erased' | 'refund_refused' }> {
  const orderId = parseOrderId(session.client_reference_id);
  const order = orderId ? await deps.store.getOrder(orderId) : undefined;
  if (orderId && !order) {
    const tombstone = await deps.store.getTombstone?.(orderId);
    if (tombstone) return { outcome: await erasedOrderSession(orderId, tombstone, session, deps, eventId) };
    deps.report('warn', 'checkout session for an unknown order', { eventId, sessionId: session.id, orderId });
    return { outcome: 'unknown_order' };
  }
  const expected: ExpectedPayment =
    deps.paymentMode === 'checkout-session' ? { ...deps.expected, orderSessionId: order?.checkoutSession?.id ?? '' } : deps.expected;
  const check = checkSession(session, expected);
  if (!check.ok || !order) {
    const reason = check.ok ? 'no_order_reference' : check.reason;
    deps.report('warn', 'checkout session rejected', { eventId, sessionId: session.id, orderId, reason });
    deps.count?.('PaymentMismatch');
    return { outcome: 'mismatch' };
  }
  return { order };
}

/**
 * A session of an erased order. The payment the order had when it was erased (the tombstone's) is
 * settled history: nothing to do, quietly (the sweeper sees it for days). Any other paid session
 * paid for an order that no longer exists, with nothing to deliver: it is refunded in full.
 */
async function erasedOrderSession(
  orderId: OrderId,
  tombstone: { readonly paymentIntentId?: string },
  session: SessionFacts,
  deps: EventDeps,
  eventId: string | undefined,
): Promise<'erased_order' | 'refunded_erased' | 'refund_refused'> {
  const paymentIntentId = paymentIntentOf(session);
  if (!paymentIntentId || paymentIntentId === tombstone.paymentIntentId || paymentStateOf(session) !== 'paid') return 'erased_order';
  if (!checkSession(session, deps.paymentMode === 'checkout-session' ? { ...deps.expected, orderSessionId: session.id } : deps.expected).ok) return 'erased_order';
  const refund = await requestRefund(
    orderId,
    {
      paymentIntentId,
      reason: 'requested_by_customer',
      idempotencyKey: `uplock-erased-${session.id}`,
      metadata: { uplock_order: orderId, uplock_reason: 'payment for an erased order' },
    },
    deps,
  );
  if (refund === 'refused') return 'refund_refused';
  deps.count?.('Refunds');
  deps.report('warn', 'payment for an erased order refunded', { eventId, orderId, sessionId: session.id });
  return 'refunded_erased';
}

/**
 * A completed (or settled) session: record payment, then deliver, or refund if the order already
 * has another payment or its job failed. Also what the sweeper runs for sessions it finds.
 */
export async function reconcileSession(session: SessionFacts, deps: EventDeps, eventId?: string): Promise<EventOutcome> {
  const found = await validatedOrder(session, deps, eventId);
  if (!('order' in found)) return found.outcome;
  const { order } = found;
  const orderId = order.orderId;
  const to = paymentStateOf(session);
  // Already reconciled (the sweeper sees every session again and again): nothing left to do, and
  // nothing is written. A paid order not yet delivered, or one whose job failed, goes on.
  if (settled(order, session.id, to)) {
    // Pending with this session: if its failure was handled first and a kill cut the return to
    // unpaid short, this redelivery finishes it (a read, only for a pending order's own session).
    if (to === 'pending' && order.payment === 'pending') await failureStands(orderId, session.id, deps);
    return 'no_change';
  }
  const paymentIntentId = paymentIntentOf(session);

  const record: PaymentRecordFacts = {
    sessionId: session.id,
    amount: session.amount_total ?? 0,
    currency: (session.currency ?? '').toLowerCase(),
    ...optional('paymentIntentId', paymentIntentId),
    ...optional('payerEmail', payerEmailOf(session)),
  };
  const moved = await deps.store.setPayment(orderId, to, record);
  // The PaymentIntent is linked, and what arrived early for it read, after the payment is written:
  // a refund handled meanwhile either finds this order paid (chargeRefunded) or left its note
  // before this read. Linked before, a refund landing between the two would be missed by both.
  const early = paymentIntentId ? await deps.store.linkPaymentIntent(paymentIntentId, orderId) : {};
  if (moved && to === 'pending' && (await failureStands(orderId, session.id, deps))) {
    await fault(deps)('event:payment-recorded');
    return 'no_change';
  }
  await fault(deps)('event:payment-recorded');
  const current = moved ? { ...order, payment: to, sessionId: session.id } : ((await deps.store.getOrder(orderId)) ?? order);

  // Another session already paid (or is settling) for this order: this one is a second payment.
  if (!moved && current.sessionId && current.sessionId !== session.id && to === 'paid') {
    return refundDuplicate(current, session, deps);
  }
  if (to !== 'paid') return moved ? 'recorded' : 'no_change';
  // A dispute or a full refund of this very payment arrived first: apply it now, deliver nothing.
  if (early.disputed) return disputeOrder({ ...current, paymentIntentId }, deps, { eventId, disputeId: 'early' });
  if (early.refunded) return refundOrder({ ...current, paymentIntentId }, deps, eventId);
  if (current.job === 'failed') return refundNoResult(orderId, deps);
  // Whether or not this call moved the state, the order may be paid and undelivered (a retry
  // after a failed email, a crash after the claim): deliverIfDue decides, and its claim makes a
  // second email impossible.
  const outcome = await deliverIfDue(orderId, deps);
  return outcome === 'delivered' ? 'delivered' : moved ? 'recorded' : 'no_change';
}

/**
 * This session's outcome is fully applied to the order: reconciling it again would change nothing
 * (the sweeper skips such sessions without a write).
 */
export const sessionSettled = (order: Order, session: SessionFacts): boolean => settled(order, session.id, paymentStateOf(session));

/**
 * Its async_payment_failed was handled before this session's `completed` (Stripe reorders): the
 * failure stands, and the order returns to unpaid. True when the failure was noted.
 */
async function failureStands(orderId: OrderId, sessionId: string, deps: EventDeps): Promise<boolean> {
  if (!(await deps.store.seenEvent(failedPaymentKey(sessionId)))) return false;
  await deps.store.setPayment(orderId, 'unpaid', undefined, { onlySession: sessionId });
  return true;
}

/** Marks a session whose delayed payment failed: a `completed` (unpaid) handled after it must not make the order pending. */
export const failedPaymentKey = (sessionId: string): string => `failed:${sessionId}`;

/** The once-only marker of a second payment's refund email: written after its refund was made. */
export const duplicateMailKey = (sessionId: string): string => `mail:duplicate:${sessionId}`;

function settled(order: Order, sessionId: string, to: PaymentState): boolean {
  if (order.sessionId !== sessionId) return false;
  if (order.payment === 'refunded') return true;
  // This session's pending payment is recorded already; if the order is unpaid again with this
  // session, its delayed payment failed (async_payment_failed): a late or swept "completed, unpaid"
  // must not make it pending again.
  if (to !== 'paid') return true;
  return order.payment === 'paid' && order.job !== 'failed' && Boolean(order.deliveredAt || order.disputedAt);
}

async function asyncPaymentFailed(session: SessionFacts, deps: EventDeps, eventId: string): Promise<EventOutcome> {
  const found = await validatedOrder(session, deps, eventId);
  if (!('order' in found)) return found.outcome;
  // Noted first, for a `completed` (unpaid) of this session that Stripe delivers after this
  // event: reconcileSession reads the note after recording `pending`, so one of the two sees the other.
  await deps.store.rememberEvent(failedPaymentKey(session.id), EVENT_MEMORY_SECONDS);
  // Only this session's pending payment returns to unpaid: a failure of some other session must
  // not undo a payment that went through.
  const moved = await deps.store.setPayment(found.order.orderId, 'unpaid', undefined, { onlySession: session.id });
  await fault(deps)('event:payment-recorded');
  return moved ? 'recorded' : 'no_change';
}

async function sessionExpired(session: SessionFacts, deps: EventDeps): Promise<EventOutcome> {
  const orderId = parseOrderId(session.client_reference_id);
  if (!orderId || deps.paymentMode !== 'checkout-session') return 'no_change';
  // The next visit to the order page opens a fresh session.
  await deps.store.clearCheckoutSession(orderId, session.id);
  return 'recorded';
}

async function orderOfPaymentIntent(paymentIntentId: string | undefined, deps: EventDeps): Promise<Order | undefined> {
  if (!paymentIntentId) return undefined;
  const orderId = await deps.store.orderIdForPaymentIntent(paymentIntentId);
  return orderId ? deps.store.getOrder(orderId) : undefined;
}

/** Whether this PaymentIntent paid an order that has since been erased (its tombstone names it). */
async function erasedOrderOf(paymentIntentId: string | undefined, deps: EventDeps): Promise<boolean> {
  if (!paymentIntentId || !deps.store.getTombstone) return false;
  const orderId = await deps.store.orderIdForPaymentIntent(paymentIntentId);
  return orderId ? (await deps.store.getTombstone(orderId)) !== undefined : false;
}

async function chargeRefunded(charge: ChargeFacts, deps: EventDeps, eventId: string): Promise<EventOutcome> {
  const paymentIntentId = paymentIntentOfCharge(charge);
  const order = await orderOfPaymentIntent(paymentIntentId, deps);
  if (!charge.refunded) {
    // A partial refund is the operator's goodwill gesture: the customer keeps the result.
    deps.report('info', 'partial refund: downloads stay open', { eventId, orderId: order?.orderId, amountRefunded: charge.amount_refunded });
    return 'no_change';
  }
  if (!order && (await erasedOrderOf(paymentIntentId, deps))) {
    deps.report('info', 'refund of an erased order: nothing left to revoke', { eventId });
    return 'erased_order';
  }
  if (!order) {
    // Before its payment was recorded (reordered events), or a charge that is not ours: keep a
    // note; reconcileSession applies it if this PaymentIntent ever pays an order.
    if (paymentIntentId) await deps.store.noteEarly(paymentIntentId, 'refunded');
    return 'no_change';
  }
  // Refunds of second payments (which we made) change nothing for the order.
  if (order.paymentIntentId !== paymentIntentId) return 'no_change';
  if (paymentIntentId && order.payment !== 'paid' && order.payment !== 'refunded') {
    // Refunded while the order still says pending (its async_payment_succeeded is late): kept as
    // a note that reconcileSession applies when the payment is recorded, instead of the order
    // turning paid and mailing a link after its refund. Read again after the note: a payment
    // recorded meanwhile did not see it.
    await deps.store.noteEarly(paymentIntentId, 'refunded');
    const now = await deps.store.getOrder(order.orderId);
    if (now?.payment !== 'paid' || now.paymentIntentId !== paymentIntentId) return 'no_change';
    return refundOrder(now, deps, eventId, { tellBuyer: true });
  }
  return refundOrder(order, deps, eventId, { tellBuyer: true });
}

async function refundOrder(order: Order, deps: EventDeps, eventId: string | undefined, opts: { tellBuyer?: boolean } = {}): Promise<EventOutcome> {
  const revoked = await deps.store.revokeTokens(order.orderId);
  await fault(deps)('event:tokens-revoked');
  await deps.store.setPayment(order.orderId, 'refunded');
  await fault(deps)('event:order-marked');
  deps.report('info', 'order refunded: downloads revoked', { eventId, orderId: order.orderId, revoked });
  // Whoever refunded a delivered or payable order (the operator's `uplock orders refund`, the
  // Stripe Dashboard), the buyer is told, once. A failed job's refund has its own email
  // (refundNoResult); a refund that arrived before its payment was seen unlocked nothing to tell.
  if (opts.tellBuyer && order.job !== 'failed') await notifyOnce(`mail:refunded:${order.orderId}`, order.payerEmail ?? order.email, 'refunded', order, deps);
  return 'revoked';
}

async function disputeCreated(dispute: DisputeFacts, deps: EventDeps, eventId: string): Promise<EventOutcome> {
  const paymentIntentId = paymentIntentOfCharge(dispute);
  const order = await orderOfPaymentIntent(paymentIntentId, deps);
  if (!order && (await erasedOrderOf(paymentIntentId, deps))) {
    // Still an alert: the operator answers the dispute in the Stripe Dashboard, erased or not.
    deps.report('error', 'payment of an erased order disputed: respond in the Stripe Dashboard', { eventId, disputeId: dispute.id, reason: dispute.reason });
    deps.count?.('Disputes');
    return 'erased_order';
  }
  if (!order) {
    deps.report('warn', 'dispute for a payment we do not know (yet)', { eventId, disputeId: dispute.id });
    if (paymentIntentId) await deps.store.noteEarly(paymentIntentId, 'disputed');
    deps.count?.('Disputes');
    return 'unknown_order';
  }
  deps.count?.('Disputes');
  return disputeOrder(order, deps, { eventId, disputeId: dispute.id, reason: dispute.reason });
}

async function disputeOrder(order: Order, deps: EventDeps, facts: Record<string, unknown>): Promise<EventOutcome> {
  await deps.store.markDisputed(order.orderId);
  await fault(deps)('event:order-marked');
  const revoked = await deps.store.revokeTokens(order.orderId);
  await fault(deps)('event:tokens-revoked');
  // An operator must answer a dispute within days: this is an alert, not a note.
  deps.report('error', 'payment disputed: downloads revoked, respond in the Stripe Dashboard', { ...facts, orderId: order.orderId, revoked });
  return 'revoked';
}

async function refundDuplicate(order: Order, session: SessionFacts, deps: EventDeps): Promise<EventOutcome> {
  const paymentIntentId = paymentIntentOf(session);
  if (!paymentIntentId) return 'no_change';
  const refund = await requestRefund(
    order.orderId,
    {
      paymentIntentId,
      reason: 'duplicate',
      idempotencyKey: `uplock-duplicate-${session.id}`,
      metadata: { uplock_order: order.orderId, uplock_reason: 'second payment for a paid order' },
    },
    deps,
  );
  // No refund, no "we refunded you" email: the operator settles it (requestRefund says how).
  if (refund === 'refused') return 'refund_refused';
  await fault(deps)('event:refund-sent');
  deps.count?.('Refunds');
  deps.report('warn', 'second payment refunded', { orderId: order.orderId, sessionId: session.id });
  const payer = payerEmailOf(session) ?? order.email;
  await notifyOnce(duplicateMailKey(session.id), payer, 'duplicate', order, deps);
  return 'refunded_duplicate';
}

/**
 * "No result, no charge": a paid order whose job failed is refunded in full and told so. Called
 * when the job fails after payment and when payment arrives after the job failed.
 */
export async function refundNoResult(
  orderId: OrderId,
  deps: Pick<EventDeps, 'store' | 'payments' | 'mailer' | 'settings' | 'report' | 'count' | 'fault' | 'now'>,
): Promise<EventOutcome> {
  const order = await deps.store.getOrder(orderId);
  if (!order || order.job !== 'failed' || !order.paymentIntentId) return 'no_change';
  const mailKey = `mail:no-result:${orderId}`;
  if (order.payment === 'refunded') {
    // Refunded already (by an earlier call killed before its email, or at Stripe): the email may
    // still be owed, and its once-marker says whether it went out.
    if (await deps.store.seenEvent(mailKey)) return 'no_change';
    await notifyOnce(mailKey, order.payerEmail ?? order.email, 'no_result', order, deps);
    return 'refunded_no_result';
  }
  if (order.payment !== 'paid') return 'no_change';
  const refund = await requestRefund(
    orderId,
    {
      paymentIntentId: order.paymentIntentId,
      reason: 'requested_by_customer',
      idempotencyKey: noResultRefundKey(orderId),
      metadata: { uplock_order: orderId, uplock_reason: 'the job failed: no result, no charge' },
    },
    deps,
  );
  if (refund === 'refused') return 'refund_refused';
  await fault(deps)('event:refund-sent');
  await deps.store.setPayment(orderId, 'refunded');
  deps.count?.('Refunds');
  deps.report('warn', 'job failed after payment: refunded', { orderId });
  await notifyOnce(mailKey, order.payerEmail ?? order.email, 'no_result', order, deps);
  return 'refunded_no_result';
}

/** The once-marker of a refund Stripe refused for good: later causes of the same refund do not ask again. */
export const refusedRefundKey = (idempotencyKey: string): string => `refund-refused:${idempotencyKey}`;

/**
 * Ask Stripe for a refund. A refusal that the charge is refunded already counts as done: the money
 * is back. A refusal Stripe would repeat to every retry (a disputed or missing charge…) is settled
 * here instead of failing the event for days of redeliveries: logged as an error, counted
 * (RefundRefused, alarmed in lib/monitoring.ts), recorded on the order's timeline (`uplock orders
 * show`), then marked, so that a redelivery, the sweeper or a retried job does not ask again; the
 * caller answers the event and tells the buyer nothing (nothing was refunded). The operator settles
 * it in the Stripe Dashboard. A failure a retry may get past (Stripe unreachable) still throws.
 */
async function requestRefund(
  orderId: OrderId,
  request: RefundRequest,
  deps: Pick<EventDeps, 'store' | 'payments' | 'report' | 'count' | 'now'>,
): Promise<'refunded' | 'already_refunded' | 'refused'> {
  const marker = refusedRefundKey(request.idempotencyKey);
  if (await deps.store.seenEvent(marker)) return 'refused';
  try {
    await deps.payments.refund(request);
    return 'refunded';
  } catch (error) {
    const refusal = permanentRefundRefusal(error);
    if (!refusal) throw error;
    if (refusal.code === ALREADY_REFUNDED) {
      deps.report('info', 'refund already made at Stripe: counted as done', { orderId, idempotencyKey: request.idempotencyKey });
      return 'already_refunded';
    }
    // Alert first, marker last: a crash in between repeats the alert, never loses it.
    deps.report('error', 'Stripe refused a refund for good: settle it in the Stripe Dashboard', {
      orderId,
      code: refusal.code,
      stripeMessage: refusal.message,
      reason: request.metadata.uplock_reason,
      idempotencyKey: request.idempotencyKey,
    });
    deps.count?.('RefundRefused');
    const at = new Date((deps.now ?? Date.now)()).toISOString();
    const detail = { code: refusal.code, reason: request.metadata.uplock_reason, idempotencyKey: request.idempotencyKey };
    await deps.store.recordOrderEvent?.(orderId, { at, kind: 'refund_refused', detail }).catch(() => undefined);
    await deps.store.rememberEvent(marker, EVENT_MEMORY_SECONDS);
    return 'refused';
  }
}

/**
 * A customer email sent once in effect: the marker is written after the send, so a crash between
 * the two repeats the same email on the retry (at worst twice), and never loses it. A send that
 * fails writes no marker, so a retry sends it.
 */
async function notifyOnce(
  key: string,
  to: string,
  kind: RefundKind,
  order: Order,
  deps: Pick<EventDeps, 'store' | 'mailer' | 'settings' | 'fault'>,
): Promise<void> {
  if (await deps.store.seenEvent(key)) return;
  await deps.mailer.send(
    to,
    refundEmail({
      kind,
      lang: order.lang,
      productName: deps.settings.productName,
      orderId: order.orderId,
      orderUrl: `${deps.settings.siteUrl}/order.html?id=${order.orderId}`,
    }),
  );
  await fault(deps)('event:customer-emailed');
  await deps.store.rememberEvent(key, EVENT_MEMORY_SECONDS);
  await deps.store.recordOrderEvent?.(order.orderId, { at: new Date().toISOString(), kind: 'email', detail: { template: `refund_${kind}`, to } }).catch(() => undefined);
}

const optional = <K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, string>>;
