/** What the core needs from Stripe. The adapter keeps the SDK out of everything else. */
import type { CheckoutPorts } from '../core/checkout';
import type { RefundRequest, SessionFacts } from '../core/payment';
import type { SweepSource } from '../core/sweep';

export type { RefundReason, RefundRequest } from '../core/payment';

export interface StripeEventFacts {
  readonly id: string;
  readonly type: string;
  readonly created: number;
  readonly livemode: boolean;
  /** The API version the event's object is rendered in (its webhook endpoint's version). */
  readonly api_version?: string | null;
  readonly data: { readonly object: unknown };
}

export class SignatureError extends Error {
  override name = 'SignatureError';
}

/**
 * A Stripe call that failed after the client's own retries. `declined`: a card error;
 * `refused`: Stripe will not do it (invalid request, idempotency conflict); `not_authorized`: a
 * wrong or restricted key; `unavailable`: Stripe could not be reached or answered 5xx/429.
 */
export class PaymentsError extends Error {
  override name = 'PaymentsError';
  constructor(
    readonly kind: 'declined' | 'refused' | 'not_authorized' | 'unavailable',
    message: string,
    /** Stripe's error code (`resource_missing`, `charge_already_refunded`…), when it gave one. */
    readonly code?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * createCheckoutSession (checkout-session mode) comes from core's CheckoutPorts; the sweeper's
 * session pages and event lists from core's SweepSource.
 */
export interface Payments extends CheckoutPorts, SweepSource {
  /** Verify `Stripe-Signature` over the raw body; throws SignatureError. */
  verifyEvent(rawBody: string, signatureHeader: string | undefined): Promise<StripeEventFacts>;
  retrieveSession(sessionId: string): Promise<SessionFacts | undefined>;
  refund(request: RefundRequest): Promise<{ id: string; status: string }>;
  /** Completed sessions created since `sinceSeconds`, of one Payment Link (or all, in checkout-session mode). */
  listCompletedSessions(opts: { paymentLinkId?: string; sinceSeconds: number }): AsyncIterable<SessionFacts>;
}
