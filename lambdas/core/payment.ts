/**
 * Payment rules (docs/architecture.md §5): what a Stripe Checkout Session must look like before it may
 * unlock an order. Works on a minimal structural view of the session so core imports no SDK.
 */
import { parseOrderId, type OrderId } from './ids';
import type { PaymentState } from './order';

export interface SessionFacts {
  readonly id: string;
  readonly client_reference_id: string | null;
  readonly payment_link: string | null | { id: string };
  readonly amount_total: number | null;
  readonly currency: string | null;
  readonly livemode: boolean;
  readonly payment_status: 'paid' | 'unpaid' | 'no_payment_required';
  readonly status: 'open' | 'complete' | 'expired' | null;
  readonly payment_intent: string | null | { id: string };
  readonly customer_details: { readonly email: string | null } | null;
  readonly customer_email?: string | null;
  readonly metadata?: Record<string, string> | null;
}

export interface ExpectedPayment {
  readonly amount: number;
  readonly currency: string;
  readonly livemode: boolean;
  /** Payment Link mode: the session must come from this link. */
  readonly paymentLinkId?: string;
  /** Checkout-session mode: the session must be the one this order opened. */
  readonly orderSessionId?: string;
}

export type SessionCheck =
  | { ok: true; orderId: OrderId }
  | { ok: false; reason: 'no_order_reference' | 'payment_link_mismatch' | 'session_mismatch' | 'amount_mismatch' | 'currency_mismatch' | 'livemode_mismatch' };

const idOf = (value: string | null | { id: string }): string | null => (typeof value === 'object' && value ? value.id : value);

/** Checks everything that does not depend on the order's current state. */
export function checkSession(session: SessionFacts, expected: ExpectedPayment): SessionCheck {
  const orderId = parseOrderId(session.client_reference_id);
  if (!orderId) return { ok: false, reason: 'no_order_reference' };
  if (session.livemode !== expected.livemode) return { ok: false, reason: 'livemode_mismatch' };
  if (expected.orderSessionId !== undefined) {
    if (session.id !== expected.orderSessionId) return { ok: false, reason: 'session_mismatch' };
  } else if (idOf(session.payment_link) !== (expected.paymentLinkId ?? null)) {
    return { ok: false, reason: 'payment_link_mismatch' };
  }
  if (session.amount_total !== expected.amount) return { ok: false, reason: 'amount_mismatch' };
  if ((session.currency ?? '').toLowerCase() !== expected.currency) return { ok: false, reason: 'currency_mismatch' };
  return { ok: true, orderId };
}

/** The payment state a completed session stands for. */
export const paymentStateOf = (session: SessionFacts): PaymentState =>
  session.payment_status === 'paid' ? 'paid' : 'pending';

export const paymentIntentOf = (session: SessionFacts): string | undefined => idOf(session.payment_intent) ?? undefined;

/** The payer's address (not the prefilled one): where the result goes. */
export const payerEmailOf = (session: SessionFacts): string | undefined =>
  session.customer_details?.email ?? session.customer_email ?? undefined;

/**
 * The Payment Link URL for one order: the order id rides along as client_reference_id. No email:
 * anyone holding the order id reads this URL; the order page adds `prefilled_email` itself from
 * what its own browser entered (frontend/src/pages/order-page.ts).
 */
export function payUrlFor(paymentLinkUrl: string, orderId: OrderId): string {
  const url = new URL(paymentLinkUrl);
  url.searchParams.set('client_reference_id', orderId);
  return url.toString();
}

export type RefundReason = 'duplicate' | 'requested_by_customer' | 'fraudulent';

/** Why Stripe will not make a refund, when asking again cannot change its answer. */
export interface RefundRefusal {
  /** Stripe's error code (`charge_disputed`, `resource_missing`…), or `refused` when it gave none. */
  readonly code: string;
  readonly message: string;
}

/** Stripe's refusal meaning the charge is refunded in full already: the money is back, so the refund is done. */
export const ALREADY_REFUNDED = 'charge_already_refunded';

/**
 * Codes of a refused request that a retry may get past: the idempotency key still in use by a
 * concurrent request, a lock Stripe could not take in time, a rate limit. Every other refusal (an
 * invalid request: a disputed or missing charge, an amount already refunded, a key reused with
 * other parameters) Stripe gives again to every retry.
 */
const RETRYABLE_REFUSALS: ReadonlySet<string> = new Set(['idempotency_key_in_use', 'lock_timeout', 'rate_limit']);

/**
 * The refusal in a refund's error when Stripe would repeat it to every retry; undefined for a
 * failure a retry may get past (Stripe unreachable, a wrong key, the codes above). The Payments
 * adapter's PaymentsError (lambdas/ports/payments.ts) carries `kind: 'refused'` and Stripe's
 * `code`; core reads them by shape, as it imports no port.
 */
export function permanentRefundRefusal(error: unknown): RefundRefusal | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { kind, code, message } = error as { kind?: unknown; code?: unknown; message?: unknown };
  if (kind !== 'refused') return undefined;
  const stripeCode = typeof code === 'string' && code.length > 0 ? code : 'refused';
  if (RETRYABLE_REFUSALS.has(stripeCode)) return undefined;
  return { code: stripeCode, message: typeof message === 'string' ? message : stripeCode };
}

export interface RefundRequest {
  readonly paymentIntentId: string;
  readonly reason: RefundReason;
  /** Derived from what causes the refund (session id, order id): a retry never refunds twice. */
  readonly idempotencyKey: string;
  readonly metadata: Record<string, string>;
}

/** The facts of a `charge` object that refunds and disputes need. */
export interface ChargeFacts {
  readonly id: string;
  readonly payment_intent: string | null | { id: string };
  readonly amount: number;
  readonly amount_refunded: number;
  readonly refunded: boolean;
}

export interface DisputeFacts {
  readonly id: string;
  readonly charge: string | { id: string };
  readonly payment_intent: string | null | { id: string };
  readonly reason: string;
}

export const paymentIntentOfCharge = (object: { payment_intent: string | null | { id: string } }): string | undefined =>
  idOf(object.payment_intent) ?? undefined;
