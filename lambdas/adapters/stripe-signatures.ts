/**
 * Webhook signature verification with the Stripe SDK's own code (constant-time HMAC, timestamp
 * tolerance), trying several secrets while rotating. Only the webhook handler imports this module;
 * every API call goes through stripe-api.ts.
 *
 * Why the deep imports: `import Stripe from 'stripe'` bundles every API resource (240 KB
 * minified) and put the webhook at 336 KB, over its 300 KB budget (ARCHITECTURE.md §8). The
 * package's `exports` map offers no smaller entry, so we import the SDK's webhook module and its
 * Node platform functions by path (16 KB). They are the same functions `stripe.webhooks` is built
 * from; if an SDK upgrade moves them, type-checking and bundling fail loudly, and
 * test/unit/adapters/stripe-signatures.test.ts checks them against the full SDK.
 */
import { createWebhooks } from '../../node_modules/stripe/esm/Webhooks.js';
import { NodePlatformFunctions } from '../../node_modules/stripe/esm/platform/NodePlatformFunctions.js';
import { loadConfig, type RuntimeConfig } from '../config';
import { once } from './clients';
import { SignatureError, type Payments, type StripeEventFacts } from '../ports/payments';
import { webhookSecrets } from './secrets';
import { StripePayments, stripeApi, type SignatureVerifier } from './stripe-payments';

export class StripeSignatureVerifier implements SignatureVerifier {
  // What `new Stripe(key).webhooks` is: verification needs no API key and no HTTP client.
  private readonly webhooks = createWebhooks(new NodePlatformFunctions());

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
        return (await this.webhooks.constructEventAsync(rawBody, signatureHeader, secret, tolerance)) as unknown as StripeEventFacts;
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
