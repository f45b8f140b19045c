/**
 * Webhook signature verification with the Stripe SDK (constant-time HMAC, timestamp tolerance,
 * several secrets while rotating). Only the webhook handler imports this module, so only its
 * bundle carries the SDK; every API call still goes through stripe-api.ts.
 */
import Stripe from 'stripe';
import { loadConfig, type RuntimeConfig } from '../config';
import { once } from './clients';
import { SignatureError, type Payments, type StripeEventFacts } from '../ports/payments';
import { webhookSecrets } from './secrets';
import { StripePayments, stripeApi, type SignatureVerifier } from './stripe-payments';

export class StripeSignatureVerifier implements SignatureVerifier {
  // Verification needs no API key: a keyless instance serves webhooks.* without touching secrets.
  private readonly stripe = new Stripe('sk_unused_for_verification');

  constructor(private readonly config: RuntimeConfig) {}

  async verify(rawBody: string, signatureHeader: string | undefined): Promise<StripeEventFacts> {
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
        return (await this.stripe.webhooks.constructEventAsync(rawBody, signatureHeader, secret, tolerance)) as unknown as StripeEventFacts;
      } catch (error) {
        lastError = error;
      }
    }
    throw new SignatureError(lastError instanceof Error ? lastError.message : 'signature did not verify');
  }
}

/** The webhook handler's Payments: the API client plus signature verification. */
export const webhookPayments = once((): Payments => {
  const config = loadConfig();
  return new StripePayments(stripeApi(config), new StripeSignatureVerifier(config));
});
