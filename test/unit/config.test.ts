import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../lambdas/config';
import { DEFAULT_PROFILE_MEMORY_BUDGET_MB } from '../../lambdas/contract';

import { validConfigDocument as valid } from './fixtures';

describe('runtime config', () => {
  it('accepts a valid document and fills defaults', () => {
    const config = parseConfig(valid);
    expect(config.region).toBe('us-east-1');
    expect(config.stripe).toMatchObject({ paymentMode: 'payment-link', livemode: false, signatureToleranceSeconds: 300 });
  });

  it('has one key for the profile memory budget: the default sized for the process function, 0 allowed, negative refused', () => {
    expect(parseConfig(valid).profileMemoryBudgetMb).toBe(DEFAULT_PROFILE_MEMORY_BUDGET_MB);
    expect(parseConfig({ ...valid, profileMemoryBudgetMb: 0 }).profileMemoryBudgetMb).toBe(0);
    expect(() => parseConfig({ ...valid, profileMemoryBudgetMb: -1 })).toThrow('profileMemoryBudgetMb');
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
