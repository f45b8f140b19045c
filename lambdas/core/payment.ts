/**
 * Payment rules (ARCHITECTURE.md §5): what a Stripe Checkout Session must look like before it may
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
