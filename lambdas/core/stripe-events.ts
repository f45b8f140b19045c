/**
 * handleStripeEvent: every Stripe event, whatever brought it (webhook, EventBridge event
 * destination, sweeper), goes through here. Idempotent and order-independent: the event id is
 * remembered, and every state change is a forward-only conditional transition, so a replay or a
 * late, out-of-order event changes nothing.
 */
import { deliverIfDue, type DeliveryMailer, type DeliverySettings, type DeliveryStore } from './delivery';
import type { OrderId } from './ids';
import type { PaymentState } from './order';
import { checkSession, paymentIntentOf, paymentStateOf, payerEmailOf, type ExpectedPayment, type SessionFacts } from './payment';

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
  setPayment(orderId: OrderId, to: PaymentState, record?: PaymentRecordFacts): Promise<boolean>;
  rememberEvent(eventId: string, ttlSeconds: number): Promise<boolean>;
  forgetEvent(eventId: string): Promise<void>;
}

export type Report = (level: 'info' | 'warn', message: string, fields: Record<string, unknown>) => void;

export interface EventDeps {
  readonly store: EventStore;
  readonly mailer: DeliveryMailer;
  readonly settings: DeliverySettings;
  readonly expected: ExpectedPayment;
  readonly report: Report;
  /** Count a payment that failed validation (a metric in AWS). */
  readonly onMismatch?: (reason: string) => void;
}

export type EventOutcome =
  | 'duplicate_event'
  | 'ignored_type'
  | 'unknown_order'
  | 'mismatch'
  | 'no_change'
  | 'recorded'
  | 'delivered';

/** Stripe retries for up to three days; remember event ids well past that. */
export const EVENT_MEMORY_SECONDS = 7 * 24 * 3600;

export async function handleStripeEvent(event: StripeEvent, deps: EventDeps): Promise<EventOutcome> {
  if (!(await deps.store.rememberEvent(event.id, EVENT_MEMORY_SECONDS))) return 'duplicate_event';
  try {
    return await dispatch(event, deps);
  } catch (error) {
    // Not handled: forget the id so Stripe's retry (we answer 5xx) is processed, not skipped.
    await deps.store.forgetEvent(event.id).catch(() => undefined);
    throw error;
  }
}

async function dispatch(event: StripeEvent, deps: EventDeps): Promise<EventOutcome> {
  switch (event.type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded':
      return sessionSettled(event, event.data.object as SessionFacts, deps);
    default:
      return 'ignored_type';
  }
}

async function sessionSettled(event: StripeEvent, session: SessionFacts, deps: EventDeps): Promise<EventOutcome> {
  const check = checkSession(session, deps.expected);
  if (!check.ok) {
    deps.report('warn', 'checkout session rejected', { eventId: event.id, sessionId: session.id, reason: check.reason });
    deps.onMismatch?.(check.reason);
    return 'mismatch';
  }
  const { orderId } = check;
  const order = await deps.store.getOrder(orderId);
  if (!order) {
    deps.report('warn', 'checkout session for an unknown order', { eventId: event.id, sessionId: session.id, orderId });
    return 'unknown_order';
  }
  const to = paymentStateOf(session);
  const moved = await deps.store.setPayment(orderId, to, {
    sessionId: session.id,
    amount: session.amount_total ?? 0,
    currency: (session.currency ?? '').toLowerCase(),
    ...optional('paymentIntentId', paymentIntentOf(session)),
    ...optional('payerEmail', payerEmailOf(session)),
  });
  if (!moved) {
    deps.report('info', 'payment state unchanged', { eventId: event.id, orderId, payment: order.payment, wanted: to });
  }
  if (to !== 'paid') return moved ? 'recorded' : 'no_change';
  // Whether or not this event moved the state, the order may be paid and undelivered (a retry
  // after a failed email): deliverIfDue decides, and its claim makes a second email impossible.
  const outcome = await deliverIfDue(orderId, deps);
  return outcome === 'delivered' ? 'delivered' : moved ? 'recorded' : 'no_change';
}

const optional = <K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, string>>;
