/** Payments on the Stripe SDK; locally the same SDK talks to the stand-in in local/stripe. */
import Stripe from 'stripe';
import type { RuntimeConfig } from '../config';
import type { SessionFacts } from '../core/payment';
import { SignatureError, type Payments, type StripeEventFacts } from '../ports/payments';
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
}
