/** What the core needs from Stripe. The adapter keeps the SDK out of everything else. */
import type { CheckoutPorts } from '../core/checkout';
import type { RefundRequest, SessionFacts } from '../core/payment';

export type { RefundReason, RefundRequest } from '../core/payment';

export interface StripeEventFacts {
  readonly id: string;
  readonly type: string;
  readonly created: number;
  readonly livemode: boolean;
  readonly data: { readonly object: unknown };
}

export class SignatureError extends Error {
  override name = 'SignatureError';
}

/** createCheckoutSession (checkout-session mode) comes from core's CheckoutPorts. */
export interface Payments extends CheckoutPorts {
  /** Verify `Stripe-Signature` over the raw body; throws SignatureError. */
  verifyEvent(rawBody: string, signatureHeader: string | undefined): Promise<StripeEventFacts>;
  retrieveSession(sessionId: string): Promise<SessionFacts | undefined>;
  refund(request: RefundRequest): Promise<{ id: string; status: string }>;
  /** Completed sessions created since `sinceSeconds`, of one Payment Link (or all, in checkout-session mode). */
  listCompletedSessions(opts: { paymentLinkId?: string; sinceSeconds: number }): AsyncIterable<SessionFacts>;
}
