/** Payments on the Stripe SDK; locally the same SDK talks to the stand-in in local/stripe. */
import Stripe from 'stripe';
import { loadConfig, type RuntimeConfig } from '../config';
import { once } from './clients';
import type { SessionFacts } from '../core/payment';
import { SignatureError, type Payments, type RefundRequest, type StripeEventFacts } from '../ports/payments';
import { stripeSecretKey, webhookSecrets } from './secrets';

export function stripeClientOptions(config: RuntimeConfig): ConstructorParameters<typeof Stripe>[1] {
  const base = { maxNetworkRetries: 2, timeout: 10_000, telemetry: false };
  const endpoint = config.endpoints.stripe;
  if (!endpoint) return base;
  const url = new URL(endpoint);
  return { ...base, host: url.hostname, port: url.port, protocol: url.protocol.replace(':', '') as 'http' | 'https' };
}

export class StripePayments implements Payments {
  private client: Promise<Stripe> | undefined;
  // Verification needs no API key: a keyless instance serves webhooks.* without touching secrets.
  private readonly verifier = new Stripe('sk_unused_for_verification');

  constructor(private readonly config: RuntimeConfig) {}

  private stripe(): Promise<Stripe> {
    this.client ??= stripeSecretKey(this.config).then((key) => new Stripe(key, stripeClientOptions(this.config)));
    // Do not cache a failed secret read.
    this.client.catch(() => (this.client = undefined));
    return this.client;
  }

  async verifyEvent(rawBody: string, signatureHeader: string | undefined): Promise<StripeEventFacts> {
    if (!signatureHeader) throw new SignatureError('missing Stripe-Signature header');
    // The SDK refuses old timestamps but not future ones; a clock that far ahead is a forgery.
    const timestamp = Number(/(?:^|,)\s*t=(\d+)/.exec(signatureHeader)?.[1]);
    const tolerance = this.config.stripe.signatureToleranceSeconds;
    if (Number.isFinite(timestamp) && timestamp > Date.now() / 1000 + tolerance) {
      throw new SignatureError('signature timestamp is in the future');
    }
    const secrets = await webhookSecrets(this.config);
    let lastError: unknown;
    for (const secret of secrets) {
      try {
        return (await this.verifier.webhooks.constructEventAsync(
          rawBody,
          signatureHeader,
          secret,
          this.config.stripe.signatureToleranceSeconds,
        )) as unknown as StripeEventFacts;
      } catch (error) {
        lastError = error;
      }
    }
    throw new SignatureError(lastError instanceof Error ? lastError.message : 'signature did not verify');
  }

  async retrieveSession(sessionId: string): Promise<SessionFacts | undefined> {
    const stripe = await this.stripe();
    try {
      return (await stripe.checkout.sessions.retrieve(sessionId)) as unknown as SessionFacts;
    } catch (error) {
      if (error instanceof Stripe.errors.StripeInvalidRequestError && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  async refund(request: RefundRequest): Promise<{ id: string; status: string }> {
    const stripe = await this.stripe();
    const refund = await stripe.refunds.create(
      { payment_intent: request.paymentIntentId, reason: request.reason, metadata: request.metadata },
      { idempotencyKey: request.idempotencyKey },
    );
    return { id: refund.id, status: refund.status ?? 'pending' };
  }

  async *listCompletedSessions(opts: { paymentLinkId?: string; sinceSeconds: number }): AsyncIterable<SessionFacts> {
    const stripe = await this.stripe();
    const pages = stripe.checkout.sessions.list({
      limit: 100,
      status: 'complete',
      created: { gte: opts.sinceSeconds },
      ...(opts.paymentLinkId ? { payment_link: opts.paymentLinkId } : {}),
    });
    for await (const session of pages) yield session as unknown as SessionFacts;
  }

  async createCheckoutSession(opts: {
    orderId: string;
    email: string;
    priceId: string;
    successUrl: string;
    cancelUrl: string;
    idempotencyKey: string;
  }): Promise<{ id: string; url: string; expiresAt: number }> {
    const stripe = await this.stripe();
    const session = await stripe.checkout.sessions.create(
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

/** The process-wide Payments. */
export const payments = once((): Payments => new StripePayments(loadConfig()));
