/** Pure parts of the local Stripe stand-in: request decoding, signing, test numbers, page escaping. */
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { FormBodyError, parseFormBody } from '../../local/stripe/form-body.js';
import { signatureHeader } from '../../local/stripe/signing.js';
import { identifyTestPaymentMethod } from '../../local/stripe/test-payment-methods.js';
import { formatAmount, renderPaymentPage } from '../../local/stripe/hosted-page.js';
import { validClientReferenceId } from '../../local/stripe/hosted-routes.js';
import { matchesRange, paginate } from '../../local/stripe/list.js';
import { readMetadata } from '../../local/stripe/params.js';
import { StripeApiError } from '../../local/stripe/errors.js';

describe('parseFormBody (Stripe bracket notation)', () => {
  it('builds nested objects and indexed arrays', () => {
    const body =
      'line_items[0][price]=price_1&line_items[0][quantity]=2&line_items[1][price]=price_2' +
      '&after_completion[type]=redirect&after_completion[redirect][url]=' +
      encodeURIComponent('https://x.test/?s={CHECKOUT_SESSION_ID}');
    expect(parseFormBody(body)).toEqual({
      line_items: [{ price: 'price_1', quantity: '2' }, { price: 'price_2' }],
      after_completion: { type: 'redirect', redirect: { url: 'https://x.test/?s={CHECKOUT_SESSION_ID}' } },
    });
  });

  it.each([
    ['expand[]=a&expand[]=b', { expand: ['a', 'b'] }],
    ['expand[0]=a&expand[1]=b', { expand: ['a', 'b'] }],
    ['expand%5B0%5D=a', { expand: ['a'] }],
    ['created[gte]=10&created[lt]=20', { created: { gte: '10', lt: '20' } }],
  ])('decodes %s', (body, expected) => {
    expect(parseFormBody(body)).toEqual(expected);
  });

  it('keeps numeric metadata keys as a map, not an array', () => {
    expect(parseFormBody('metadata[0]=x&metadata[order]=y')).toEqual({ metadata: { '0': 'x', order: 'y' } });
  });

  it('keeps an empty value (Stripe uses it to unset)', () => {
    expect(parseFormBody('metadata=&description=')).toEqual({ metadata: '', description: '' });
  });

  it('refuses malformed bracket keys', () => {
    expect(() => parseFormBody('a[b=1')).toThrow(FormBodyError);
    expect(() => parseFormBody('a[b]c=1')).toThrow(FormBodyError);
  });
});

describe('signatureHeader', () => {
  it('produces what the Stripe SDK verifies', () => {
    const payload = JSON.stringify({ id: 'evt_1', object: 'event', type: 'checkout.session.completed', data: { object: {} } });
    const header = signatureHeader(payload, 'whsec_test');
    const stripe = new Stripe('sk_test_x');
    expect(stripe.webhooks.constructEvent(payload, header, 'whsec_test').id).toBe('evt_1');
  });

  it('matches the SDK test helper byte for byte', () => {
    const stripe = new Stripe('sk_test_x');
    const payload = '{"id":"evt_2"}';
    const timestamp = 1_700_000_000;
    const expected = stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_abc', timestamp });
    expect(signatureHeader(payload, 'whsec_abc', timestamp)).toBe(expected);
  });

  it('is refused outside the tolerance window', () => {
    const stripe = new Stripe('sk_test_x');
    const payload = '{"id":"evt_3"}';
    const old = signatureHeader(payload, 'whsec_abc', Math.floor(Date.now() / 1000) - 3600);
    expect(() => stripe.webhooks.constructEvent(payload, old, 'whsec_abc')).toThrow(/tolerance/i);
  });
});

describe('identifyTestPaymentMethod', () => {
  it.each([
    ['4242 4242 4242 4242', { kind: 'card', behaviour: 'succeeds' }],
    ['4242-4242-4242-4242', { kind: 'card', behaviour: 'succeeds' }],
    ['4000000000000259', { kind: 'card', behaviour: 'dispute' }],
    ['DE89 3704 0044 0532 0130 00', { kind: 'sepa_debit', behaviour: 'async_succeeds' }],
    ['de62370400440532013001', { kind: 'sepa_debit', behaviour: 'async_fails' }],
  ])('accepts %s', (input, expected) => {
    expect(identifyTestPaymentMethod(input)).toMatchObject(expected);
  });

  it.each([
    ['4000 0000 0000 0002', 402, 'Your card was declined.'],
    ['4000000000009995', 402, 'Your card has insufficient funds.'],
    ['4111111111111111', 402, 'non test card'],
    ['4242424242424241', 400, 'Your card number is invalid.'],
    ['', 400, 'incomplete'],
    ['GB29NWBK60161331926819', 400, 'not a test IBAN'],
  ])('refuses %s', (input, status, message) => {
    const result = identifyTestPaymentMethod(input);
    expect(result).toMatchObject({ status });
    expect('message' in result ? result.message : '').toContain(message);
  });
});

describe('validClientReferenceId', () => {
  it.each([
    ['0b7a8f1e-2c3d-4e5f-8a9b-0c1d2e3f4a5b', true],
    ['A_b-9', true],
    ['a'.repeat(200), true],
    ['a'.repeat(201), false],
    ['has space', false],
    ['dot.ted', false],
    ['', false],
  ])('%s → kept: %s', (value, kept) => {
    expect(validClientReferenceId(value)).toBe(kept ? value : null);
  });
});

describe('hosted page', () => {
  it('escapes everything that came from the request', () => {
    const html = renderPaymentPage({
      productName: '<b>Report</b>',
      amount: 1200,
      currency: 'eur',
      quantity: 1,
      email: '"><script>x</script>',
      clientReferenceId: null,
      error: '<i>bad</i>',
      cancelUrl: 'javascript:"x"',
    });
    expect(html).not.toContain('<script>x');
    expect(html).not.toContain('<b>Report');
    expect(html).not.toContain('<i>bad');
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('href="javascript:&quot;x&quot;"');
  });

  it.each([
    [1200, 'eur', '€12.00'],
    [500, 'jpy', '¥500'],
    [999, 'usd', '$9.99'],
  ])('formats %i %s as %s', (amount, currency, text) => {
    expect(formatAmount(amount, currency)).toBe(text);
  });
});

describe('paginate', () => {
  const items = ['e', 'd', 'c', 'b', 'a'].map((id) => ({ id }));
  const page = (query: Record<string, string>) => paginate(items, query, '/v1/things', 'thing');

  it.each([
    [{}, ['e', 'd', 'c', 'b', 'a'], false],
    [{ limit: '2' }, ['e', 'd'], true],
    [{ limit: '2', starting_after: 'd' }, ['c', 'b'], true],
    [{ limit: '2', starting_after: 'b' }, ['a'], false],
    [{ limit: '2', ending_before: 'b' }, ['d', 'c'], true],
    [{ limit: '2', ending_before: 'd' }, ['e'], false],
  ])('%o → %o, has_more %s', (query, ids, hasMore) => {
    const result = page(query);
    expect(result.data.map((x) => x.id)).toEqual(ids);
    expect(result.has_more).toBe(hasMore);
    expect(result).toMatchObject({ object: 'list', url: '/v1/things' });
  });

  it.each([{ limit: '0' }, { limit: '101' }, { limit: 'x' }])('refuses %o', (query) => {
    expect(() => page(query)).toThrow(StripeApiError);
  });

  it('404s a cursor that names nothing', () => {
    expect(() => page({ starting_after: 'zz' })).toThrow(expect.objectContaining({ status: 404, code: 'resource_missing', param: 'starting_after' }));
  });
});

describe('matchesRange', () => {
  it.each([
    [100, '100', true],
    [100, { gte: '100' }, true],
    [100, { gt: '100' }, false],
    [100, { lt: '101', gte: '99' }, true],
    [100, { lte: '99' }, false],
  ])('%i against %o → %s', (value, filter, expected) => {
    expect(matchesRange(value, filter, 'created')).toBe(expected);
  });

  it('refuses unknown operators and non-integers', () => {
    expect(() => matchesRange(1, { between: '1' }, 'created')).toThrow(StripeApiError);
    expect(() => matchesRange(1, { gte: 'soon' }, 'created')).toThrow(StripeApiError);
  });
});

describe('readMetadata', () => {
  it('merges on update, unsets empty values, and clears all with an empty string', () => {
    expect(readMetadata({ metadata: { b: '', c: '3' } }, { a: '1', b: '2' })).toEqual({ a: '1', c: '3' });
    expect(readMetadata({ metadata: '' }, { a: '1' })).toEqual({});
    expect(readMetadata({}, { a: '1' })).toBeUndefined();
  });

  it('enforces Stripe limits', () => {
    expect(() => readMetadata({ metadata: { ['k'.repeat(41)]: 'v' } })).toThrow(StripeApiError);
    expect(() => readMetadata({ metadata: { k: 'v'.repeat(501) } })).toThrow(StripeApiError);
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    expect(() => readMetadata({ metadata: many })).toThrow(StripeApiError);
  });
});
