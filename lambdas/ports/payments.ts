/** What the core needs from Stripe. The adapter keeps the SDK out of everything else. */
import type { SessionFacts } from '../core/payment';

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

export interface Payments {
  /** Verify `Stripe-Signature` over the raw body; throws SignatureError. */
  verifyEvent(rawBody: string, signatureHeader: string | undefined): Promise<StripeEventFacts>;
  retrieveSession(sessionId: string): Promise<SessionFacts | undefined>;
}
