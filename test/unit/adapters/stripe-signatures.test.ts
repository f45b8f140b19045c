import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StripeSignatureVerifier } from '../../../lambdas/adapters/stripe-signatures';
import { parseConfig } from '../../../lambdas/config';
import { SignatureError } from '../../../lambdas/ports/payments';
import { validConfigDocument } from '../fixtures';

const config = parseConfig({ ...validConfigDocument, stripe: {} });

// The full SDK signs test headers exactly as Stripe does: the slim verifier must agree with it.
const sdk = new Stripe('sk_test_unused');
const payload = JSON.stringify({ id: 'evt_1', type: 'checkout.session.completed', created: 1, livemode: false, data: { object: {} } });
const sign = (secret: string, timestamp = Math.floor(Date.now() / 1000)) => sdk.webhooks.generateTestHeaderString({ payload, secret, timestamp });

let saved: string | undefined;
beforeEach(() => {
  saved = process.env.STRIPE_WEBHOOK_SECRET;
  // Two secrets while rotating: either one verifies.
  process.env.STRIPE_WEBHOOK_SECRET = 'whsec_old, whsec_new';
});
afterEach(() => {
  if (saved === undefined) delete process.env.STRIPE_WEBHOOK_SECRET;
  else process.env.STRIPE_WEBHOOK_SECRET = saved;
});

describe('StripeSignatureVerifier (the SDK webhook module without the rest of the SDK)', () => {
  it.each(['whsec_old', 'whsec_new'])('accepts an event signed with %s, as the full SDK does', async (secret) => {
    const header = sign(secret);
    const event = await new StripeSignatureVerifier(config).verify(payload, header);
    expect(event.id).toBe('evt_1');
    await expect(sdk.webhooks.constructEventAsync(payload, header, secret)).resolves.toMatchObject({ id: 'evt_1' });
  });

  it.each([
    ['a missing header', () => undefined],
    ['another secret', () => sign('whsec_other')],
    ['a stale timestamp', () => sign('whsec_new', Math.floor(Date.now() / 1000) - 301)],
    ['a future timestamp', () => sign('whsec_new', Math.floor(Date.now() / 1000) + 301)],
    ['a garbled header', () => 'nonsense'],
  ])('refuses %s with a SignatureError', async (_what, header) => {
    await expect(new StripeSignatureVerifier(config).verify(payload, header())).rejects.toBeInstanceOf(SignatureError);
  });

  it('refuses a body changed after signing', async () => {
    const header = sign('whsec_new');
    await expect(new StripeSignatureVerifier(config).verify(payload.replace('evt_1', 'evt_2'), header)).rejects.toBeInstanceOf(SignatureError);
  });
});
