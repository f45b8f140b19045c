import { describe, expect, it } from 'vitest';
import { encodeForm, STRIPE_API_VERSION, StripeApi, StripeApiError } from '../../../lambdas/adapters/stripe-api';
import { StripePayments } from '../../../lambdas/adapters/stripe-payments';
import { parseFormBody } from '../../../local/stripe/form-body';
import { fakeFetch, jsonResponse } from './fake-fetch';

describe('encodeForm (Stripe bracket notation)', () => {
  it('writes nested objects and arrays as the SDK does', () => {
    const body = encodeForm({
      mode: 'payment',
      line_items: [{ price: 'price_1', quantity: 1 }],
      metadata: { uplock_order: 'a b&c' },
      created: { gte: 1700000000 },
      livemode: false,
      skipped: undefined,
      cleared: null,
    });
    expect(body).toBe(
      'mode=payment&line_items[0][price]=price_1&line_items[0][quantity]=1&metadata[uplock_order]=a%20b%26c&created[gte]=1700000000&livemode=false&cleared=',
    );
  });

  it('decodes on the local stand-in to the same parameters', () => {
    const params = { payment_intent: 'pi_1', reason: 'duplicate', metadata: { order: 'o-1', why: 'ünïcode & more' }, line_items: [{ price: 'p', quantity: 2 }] };
    expect(parseFormBody(encodeForm(params))).toEqual({ ...params, line_items: [{ price: 'p', quantity: '2' }] });
  });
});

describe('StripeApi', () => {
  const api = (fetch: typeof globalThis.fetch) =>
    new StripeApi({ apiKey: async () => 'sk_test_123', baseUrl: 'http://127.0.0.1:12111/', fetch, backoffBaseMs: 1 });

  it('authenticates with the key, pins the API version and sends the idempotency key', async () => {
    // Prepare
    const { fetch, calls } = fakeFetch(jsonResponse(200, { id: 're_1', status: 'succeeded' }));

    // Act
    await api(fetch).request('POST', '/v1/refunds', { payment_intent: 'pi_1' }, { idempotencyKey: 'refund-cs_1' });

    // Assess
    expect(calls[0]).toMatchObject({ url: 'http://127.0.0.1:12111/v1/refunds', method: 'POST', body: 'payment_intent=pi_1' });
    expect(Object.fromEntries(calls[0]?.headers ?? [])).toEqual({
      authorization: 'Bearer sk_test_123',
      'stripe-version': STRIPE_API_VERSION,
      'content-type': 'application/x-www-form-urlencoded',
      'idempotency-key': 'refund-cs_1',
    });
  });

  it('puts GET parameters in the query', async () => {
    const { fetch, calls } = fakeFetch(jsonResponse(200, { data: [], has_more: false }));
    await api(fetch).request('GET', '/v1/checkout/sessions', { limit: 100, created: { gte: 5 } });
    expect(calls[0]?.url).toBe('http://127.0.0.1:12111/v1/checkout/sessions?limit=100&created[gte]=5');
    expect(calls[0]?.headers.has('content-type')).toBe(false);
  });

  it.each([
    ['429', () => jsonResponse(429, { error: { type: 'rate_limit_error', message: 'slow' } })],
    ['500', () => jsonResponse(500, { error: { type: 'api_error', message: 'oops' } })],
    ['409 (lock timeout)', () => jsonResponse(409, { error: { type: 'idempotency_error', message: 'in progress' } })],
    ['a network failure', () => new TypeError('fetch failed')],
  ])('retries after %s with the same idempotency key', async (_what, failure) => {
    const { fetch, calls } = fakeFetch(failure(), jsonResponse(200, { id: 're_1' }));
    await api(fetch).request('POST', '/v1/refunds', { payment_intent: 'pi_1' }, { idempotencyKey: 'k-1' });
    expect(calls.map((c) => c.headers.get('idempotency-key'))).toEqual(['k-1', 'k-1']);
    expect(calls[1]?.body).toBe(calls[0]?.body);
  });

  it('stops after three attempts', async () => {
    const busy = () => jsonResponse(503, { error: { type: 'api_error', message: 'busy' } });
    const { fetch, calls } = fakeFetch(busy, busy, busy);
    await expect(api(fetch).request('GET', '/v1/checkout/sessions/cs_1')).rejects.toMatchObject({ status: 503, type: 'api_error' });
    expect(calls).toHaveLength(3);
  });

  it('honours Stripe-Should-Retry: false', async () => {
    const { fetch, calls } = fakeFetch(jsonResponse(500, { error: { type: 'api_error', message: 'no' } }, { 'stripe-should-retry': 'false' }));
    await expect(api(fetch).request('POST', '/v1/refunds', {})).rejects.toBeInstanceOf(StripeApiError);
    expect(calls).toHaveLength(1);
  });

  it('does not retry a refused request', async () => {
    const { fetch, calls } = fakeFetch(jsonResponse(400, { error: { type: 'invalid_request_error', code: 'charge_already_refunded', message: 'refunded' } }));
    await expect(api(fetch).request('POST', '/v1/refunds', {})).rejects.toMatchObject({ status: 400, code: 'charge_already_refunded' });
    expect(calls).toHaveLength(1);
  });

  it('lists every page, starting after the last id of the one before', async () => {
    const { fetch, calls } = fakeFetch(
      jsonResponse(200, { data: [{ id: 'cs_1' }, { id: 'cs_2' }], has_more: true }),
      jsonResponse(200, { data: [{ id: 'cs_3' }], has_more: false }),
    );
    const ids: string[] = [];
    for await (const s of api(fetch).list<{ id: string }>('/v1/checkout/sessions', { limit: 2 })) ids.push(s.id);
    expect(ids).toEqual(['cs_1', 'cs_2', 'cs_3']);
    expect(calls.map((c) => new URL(c.url).searchParams.get('starting_after'))).toEqual([null, 'cs_2']);
  });
});

describe('StripePayments on the fetch client', () => {
  const payments = (fetch: typeof globalThis.fetch) => new StripePayments(new StripeApi({ apiKey: async () => 'sk_test_1', fetch, backoffBaseMs: 1 }));

  it('answers undefined for an unknown session', async () => {
    const { fetch } = fakeFetch(jsonResponse(404, { error: { type: 'invalid_request_error', code: 'resource_missing', message: 'No such checkout.session' } }));
    await expect(payments(fetch).retrieveSession('cs_missing')).resolves.toBeUndefined();
  });

  it('refunds with the reason, metadata and idempotency key it was given', async () => {
    const { fetch, calls } = fakeFetch(jsonResponse(200, { id: 're_1', status: null }));
    const out = await payments(fetch).refund({ paymentIntentId: 'pi_1', reason: 'duplicate', metadata: { order: 'o1' }, idempotencyKey: 'dup-cs_2' });
    expect(out).toEqual({ id: 're_1', status: 'pending' });
    expect(calls[0]?.body).toBe('payment_intent=pi_1&reason=duplicate&metadata[order]=o1');
    expect(calls[0]?.headers.get('idempotency-key')).toBe('dup-cs_2');
  });

  it('has no signature verification unless given one', async () => {
    await expect(payments(fakeFetch().fetch).verifyEvent('{}', 't=1,v1=x')).rejects.toThrow(/webhookPayments/);
  });
});
