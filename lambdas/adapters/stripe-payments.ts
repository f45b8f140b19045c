/**
 * Payments over Stripe's HTTP API (stripe-api.ts); locally the same calls go to the stand-in in
 * local/stripe. No Stripe SDK here: the handlers that only call the API (get-order, the job, the
 * sweeper…) stay small. Verifying webhook signatures needs the SDK; only the webhook handler
 * carries it, through `webhookPayments` in stripe-signatures.ts.
 */
import type { CheckoutRequest, OpenCheckout } from '../core/checkout';
import { loadConfig, type RuntimeConfig } from '../config';
import { once } from './clients';
import type { SessionFacts } from '../core/payment';
import type { Payments, RefundRequest, StripeEventFacts } from '../ports/payments';
import { stripeSecretKey } from './secrets';
import { StripeApi, StripeApiError } from './stripe-api';

/** Checks `Stripe-Signature` over the raw body; throws SignatureError. */
export interface SignatureVerifier {
  verify(rawBody: string, signatureHeader: string | undefined): Promise<StripeEventFacts>;
}

/** For handlers that never receive webhooks: a call here is a wiring mistake, not a bad signature. */
const noVerifier: SignatureVerifier = {
  verify: () => Promise.reject(new Error('this handler does not verify Stripe signatures: use webhookPayments (stripe-signatures.ts)')),
};

export function stripeApi(config: RuntimeConfig): StripeApi {
  return new StripeApi({
    apiKey: () => stripeSecretKey(config),
    ...(config.endpoints.stripe ? { baseUrl: config.endpoints.stripe } : {}),
  });
}

export class StripePayments implements Payments {
  constructor(
    private readonly api: StripeApi,
    private readonly verifier: SignatureVerifier = noVerifier,
  ) {}

  verifyEvent(rawBody: string, signatureHeader: string | undefined): Promise<StripeEventFacts> {
    return this.verifier.verify(rawBody, signatureHeader);
  }

  async retrieveSession(sessionId: string): Promise<SessionFacts | undefined> {
    try {
      return await this.api.request<SessionFacts>('GET', `/v1/checkout/sessions/${encodeURIComponent(sessionId)}`);
    } catch (error) {
      if (error instanceof StripeApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  async refund(request: RefundRequest): Promise<{ id: string; status: string }> {
    const refund = await this.api.request<{ id: string; status: string | null }>(
      'POST',
      '/v1/refunds',
      { payment_intent: request.paymentIntentId, reason: request.reason, metadata: request.metadata },
      { idempotencyKey: request.idempotencyKey },
    );
    return { id: refund.id, status: refund.status ?? 'pending' };
  }

  async *listCompletedSessions(opts: { paymentLinkId?: string; sinceSeconds: number }): AsyncIterable<SessionFacts> {
    yield* this.api.list<SessionFacts>('/v1/checkout/sessions', {
      limit: 100,
      status: 'complete',
      created: { gte: opts.sinceSeconds },
      ...(opts.paymentLinkId ? { payment_link: opts.paymentLinkId } : {}),
    });
  }

  async createCheckoutSession(opts: CheckoutRequest): Promise<OpenCheckout> {
    const session = await this.api.request<{ id: string; url: string | null; expires_at: number }>(
      'POST',
      '/v1/checkout/sessions',
      {
        mode: 'payment',
        line_items: [{ price: opts.priceId, quantity: 1 }],
        client_reference_id: opts.orderId,
        customer_email: opts.email,
        success_url: opts.successUrl,
        cancel_url: opts.cancelUrl,
        metadata: { uplock_order: opts.orderId },
      },
      { idempotencyKey: opts.idempotencyKey },
    );
    if (!session.url) throw new Error('Stripe returned a checkout session without a URL');
    return { id: session.id, url: session.url, expiresAt: session.expires_at };
  }
}

/** The process-wide Payments for handlers that call Stripe's API but receive no webhooks. */
export const payments = once((): Payments => new StripePayments(stripeApi(loadConfig())));
