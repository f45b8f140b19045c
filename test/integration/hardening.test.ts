/**
 * Issue 12's smaller items against the local cloud: bad text in file names and emails, POSTs that
 * are not JSON, a signed event that is not an event, faults on demand, and the order view without
 * the buyer's address.
 */
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrder, createOrderOk, getOrder, readyOrder, startTestCloud, type TestCloud } from './local-cloud';

let cloud: TestCloud;
const verifier = new Stripe('sk_test_unused');

beforeAll(async () => {
  cloud = await startTestCloud();
});

afterAll(async () => {
  await cloud?.stop();
});

describe('create order input', () => {
  it('answers 400 (not 500) for a file name with a lone surrogate', async () => {
    // JSON.stringify keeps the escape, so the handler sees the lone surrogate itself.
    const body = '{"email":"a@example.com","fileName":"\\ud800.csv","size":10}';
    const res = await cloud.api('/api/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_file_name');
  });

  it.each([
    ['a NUL', 'a\u0000b@example.com'],
    ['a lone surrogate', 'a\ud800b@example.com'],
    ['a right-to-left override', 'a\u202eb@example.com'],
  ])('refuses an email with %s', async (_what, email) => {
    const res = await createOrder(cloud, { email, fileName: 'a.csv', size: 10 });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_email');
  });

  it.each([
    ['text/plain', 'text/plain'],
    ['a form', 'application/x-www-form-urlencoded'],
    ['no type', undefined],
  ])('answers 415 to a POST sent as %s, for both POST routes', async (_what, type) => {
    for (const route of ['/api/orders', '/api/orders/lookup']) {
      const res = await cloud.api(route, {
        method: 'POST',
        headers: type ? { 'content-type': type } : {},
        body: JSON.stringify({ email: 'a@example.com', fileName: 'a.csv', size: 10 }),
      });
      expect(res.status, route).toBe(415);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unsupported_media_type');
    }
  });

  it('accepts application/json with a charset', async () => {
    const res = await cloud.api('/api/orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ email: 'a@example.com', fileName: 'a.csv', size: 10 }),
    });
    expect(res.status).toBe(201);
  });
});

describe('the order view', () => {
  it('carries no email, not even inside payUrl', async () => {
    const order = await readyOrder(cloud, 'hidden.buyer@example.com');
    const view = await getOrder(cloud, order.orderId);
    expect(view.payUrl).toContain(`client_reference_id=${order.orderId}`);
    expect(JSON.stringify(view)).not.toContain('hidden.buyer');
    expect(JSON.stringify(view)).not.toContain('%40');
  });
});

describe('a signed body that is not a Stripe event', () => {
  it.each([
    ['no id', { type: 'charge.refunded', data: { object: {} } }],
    ['no data.object', { id: 'evt_bad_1', type: 'charge.refunded', data: {} }],
    ['data.object null', { id: 'evt_bad_2', type: 'charge.refunded', data: { object: null } }],
  ])('gets 400 malformed_event (%s), which Stripe does not retry as a transient failure', async (_what, payload) => {
    const body = JSON.stringify(payload);
    const signature = verifier.webhooks.generateTestHeaderString({ payload: body, secret: cloud.webhookSecret });
    const res = await cloud.api('/api/stripe/webhook', { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, body });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('malformed_event');
  });
});

describe('faults on demand', () => {
  it('DynamoDB answers errors while told to, and recovers by itself', async () => {
    const set = await cloud.api('/__local/faults', { method: 'POST', body: JSON.stringify({ dynamodbErrorsSeconds: 2 }) });
    expect(set.status).toBe(200);
    expect(((await set.json()) as { dynamodbErrorsUntil?: string }).dynamodbErrorsUntil).toBeDefined();
    const during = await createOrder(cloud, { email: 'fault@example.com', fileName: 'a.csv', size: 10 });
    expect(during.status).toBe(500);
    await new Promise((r) => setTimeout(r, 2_100));
    await createOrderOk(cloud, 'fault@example.com', 'a.csv', '0123456789');
  });

  it('refuses a plan it does not understand', async () => {
    const res = await cloud.api('/__local/faults', { method: 'POST', body: JSON.stringify({ killAt: 'nowhere' }) });
    expect(res.status).toBe(400);
    const state = await (await cloud.api('/__local/faults')).json();
    expect(state).not.toHaveProperty('killAt');
  });
});
