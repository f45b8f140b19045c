import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../lambdas/config';

import { validConfigDocument as valid } from './fixtures';

describe('runtime config', () => {
  it('accepts a valid document and fills defaults', () => {
    const config = parseConfig(valid);
    expect(config.region).toBe('us-east-1');
    expect(config.stripe).toMatchObject({ paymentMode: 'payment-link', livemode: false, signatureToleranceSeconds: 300 });
  });

  it('treats empty Stripe ids (not wired yet) as absent', () => {
    const config = parseConfig({ ...valid, stripe: { paymentLinkId: '', paymentLinkUrl: '', priceId: '' } });
    expect(config.stripe.paymentLinkId).toBeUndefined();
    expect(config.stripe.paymentLinkUrl).toBeUndefined();
  });

  it.each([
    ['price.amount', { price: { amount: -1, currency: 'usd' } }],
    ['price.currency', { price: { amount: 1, currency: 'USD' } }],
    ['senderEmail', { senderEmail: 'nope' }],
    ['acceptedExtensions.0', { acceptedExtensions: ['csv'] }],
    ['stripe.paymentLinkId', { stripe: { paymentLinkId: 'link_1' } }],
  ])('names the bad key %s', (key, patch) => {
    expect(() => parseConfig({ ...valid, ...patch })).toThrow(ConfigError);
    expect(() => parseConfig({ ...valid, ...patch })).toThrow(key);
  });
});
