/**
 * The Payments port on the `stripe` package (lambdas/adapters/stripe-payments.ts), each method
 * against the local Stripe stand-in over real HTTP: the answers it maps, the SDK errors it turns
 * into PaymentsError, the SDK's own retries (same idempotency key) after a 5xx the stand-in is
 * told to serve (local/stripe/faults.ts), and signature checks with the SDK's webhook module.
 */
import Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { STRIPE_API_VERSION } from '../../lambdas/adapters/stripe-client';
import { StripePayments, stripeClientFor, noteApiVersion } from '../../lambdas/adapters/stripe-payments';
import { metrics } from '../../lambdas/adapters/observability';
import { parseConfig, type RuntimeConfig } from '../../lambdas/config';
import { PaymentsError, SignatureError } from '../../lambdas/ports/payments';
import { startStripeStandIn, type ApiRequestRecord, type StripeStandIn } from '../../local/stripe/server';
import { validConfigDocument } from '../unit/fixtures';
import { payOnStripePage } from './local-cloud';

let standIn: StripeStandIn;
let config: RuntimeConfig;
let payments: StripePayments;
/** The same stand-in through a plain SDK client: sets up prices and reads back what the adapter did. */
let stripe: Stripe;
let priceId: string;
const requests: ApiRequestRecord[] = [];
const saved = { key: process.env.STRIPE_SECRET_KEY, secret: process.env.STRIPE_WEBHOOK_SECRET };

beforeAll(async () => {
  // The adapter reads both through the secrets adapter, which locally takes them from the env.
  process.env.STRIPE_SECRET_KEY = 'sk_test_adapter';
  // Two signing secrets, as while an endpoint is being replaced (docs/deploy.md).
  process.env.STRIPE_WEBHOOK_SECRET = 'whsec_old, whsec_new';
  standIn = await startStripeStandIn({ port: 0, onApiRequest: (r) => requests.push(r), settleAfterMs: 3_600_000, disputeAfterMs: 3_600_000 });
  config = parseConfig({ ...validConfigDocument, endpoints: { stripe: standIn.url }, stripe: {} });
  payments = new StripePayments(stripeClientFor(config), config);
  stripe = new Stripe('sk_test_setup', { host: '127.0.0.1', port: standIn.port, protocol: 'http' });
  priceId = (await stripe.prices.create({ product_data: { name: 'Report' }, unit_amount: 900, currency: 'usd' })).id;
});

afterEach(async () => {
  await fetch(`${standIn.url}/_test/faults`, { method: 'DELETE' });
  vi.restoreAllMocks();
});

afterAll(async () => {
  await standIn?.close();
  for (const [name, value] of [['STRIPE_SECRET_KEY', saved.key], ['STRIPE_WEBHOOK_SECRET', saved.secret]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

/** Tell the stand-in to fail the next `times` requests to `path`. */
async function planFault(fields: Record<string, string>): Promise<void> {
  const res = await fetch(`${standIn.url}/_test/faults`, { method: 'POST', body: new URLSearchParams(fields) });
  expect(res.status).toBe(200);
}

const checkoutRequest = (orderId: string, idempotencyKey = `checkout-${orderId}`) => ({
  priceId,
  orderId,
  email: `${orderId}@example.com`,
  successUrl: 'https://shop.example.com/o/done',
  cancelUrl: 'https://shop.example.com/o/cancel',
  idempotencyKey,
});

/** A session opened through the adapter and paid on the stand-in's hosted page with `card`. */
async function paidSession(orderId: string, card = '4242424242424242'): Promise<string> {
  const open = await payments.createCheckoutSession(checkoutRequest(orderId));
  const res = await payOnStripePage(open.url, card, `${orderId}@example.com`);
  expect(res.status).toBe(303);
  return open.id;
}

const since = (key: string) => requests.filter((r) => r.idempotencyKey === key);

describe('createCheckoutSession', () => {
  it('opens a payment-mode session for the order, in the pinned API version', async () => {
    const open = await payments.createCheckoutSession(checkoutRequest('order-open'));

    expect(open.url).toMatch(new RegExp(`^${standIn.url}/c/pay/cs_`));
    expect(open.expiresAt).toBeGreaterThan(Date.now() / 1000);
    const session = await stripe.checkout.sessions.retrieve(open.id);
    expect(session).toMatchObject({ mode: 'payment', client_reference_id: 'order-open', customer_email: 'order-open@example.com', metadata: { uplock_order: 'order-open' } });
    expect(since('checkout-order-open')).toEqual([expect.objectContaining({ method: 'POST', path: '/v1/checkout/sessions', status: 200, stripeVersion: STRIPE_API_VERSION })]);
  });

  it('answers the same session for the same idempotency key', async () => {
    const first = await payments.createCheckoutSession(checkoutRequest('order-twice', 'same-key'));
    const second = await payments.createCheckoutSession(checkoutRequest('order-twice', 'same-key'));
    expect(second.id).toBe(first.id);
    expect(since('same-key').map((r) => r.replayed)).toEqual([false, true]);
  });

  it('maps an invalid request (unknown price) to PaymentsError "refused" without retrying', async () => {
    const error = await payments.createCheckoutSession({ ...checkoutRequest('order-bad-price'), priceId: 'price_missing' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PaymentsError);
    expect(error).toMatchObject({ kind: 'refused', code: 'resource_missing' });
    expect(since('checkout-order-bad-price')).toHaveLength(1);
  });
});

describe('retrieveSession', () => {
  it('reads the facts core needs from a paid session', async () => {
    const id = await paidSession('order-read');
    const facts = await payments.retrieveSession(id);
    expect(facts).toMatchObject({
      id,
      client_reference_id: 'order-read',
      amount_total: 900,
      currency: 'usd',
      livemode: false,
      payment_status: 'paid',
      status: 'complete',
      customer_details: { email: 'order-read@example.com' },
      metadata: { uplock_order: 'order-read' },
    });
    expect(facts?.payment_intent).toMatch(/^pi_/);
  });

  it('answers undefined for a session Stripe does not know', async () => {
    await expect(payments.retrieveSession('cs_test_missing')).resolves.toBeUndefined();
  });

  it('retries a 500 (SDK retry middleware) and then answers', async () => {
    const id = await paidSession('order-flaky-read');
    await planFault({ method: 'GET', path: `/v1/checkout/sessions/${id}`, status: '500', times: '1' });
    const before = requests.length;

    await expect(payments.retrieveSession(id)).resolves.toMatchObject({ id, payment_status: 'paid' });
    expect(requests.slice(before).map((r) => r.status)).toEqual([500, 200]);
  });
});

describe('listCompletedSessions', () => {
  it('lists completed sessions of a payment link created since a time', async () => {
    const link = await stripe.paymentLinks.create({ line_items: [{ price: priceId, quantity: 1 }], after_completion: { type: 'redirect', redirect: { url: 'https://shop.example.com/o/done' } } });
    const start = Math.floor(Date.now() / 1000) - 1;
    const paid: string[] = [];
    for (const ref of ['list-a', 'list-b', 'list-c']) {
      const res = await payOnStripePage(`${link.url}?client_reference_id=${ref}`, '4242424242424242', `${ref}@example.com`);
      expect(res.status).toBe(303);
    }
    for await (const s of payments.listCompletedSessions({ paymentLinkId: link.id, sinceSeconds: start })) paid.push(s.client_reference_id ?? '');
    expect(paid.sort()).toEqual(['list-a', 'list-b', 'list-c']);

    const all: string[] = [];
    for await (const s of payments.listCompletedSessions({ sinceSeconds: start })) {
      expect(s.status).toBe('complete');
      all.push(s.id);
    }
    expect(all.length).toBeGreaterThanOrEqual(3);
    expect(new Set(all).size).toBe(all.length);
  });

  it('leaves out sessions created before sinceSeconds', async () => {
    const link = await stripe.paymentLinks.create({ line_items: [{ price: priceId, quantity: 1 }], after_completion: { type: 'redirect', redirect: { url: 'https://shop.example.com/o/done' } } });
    await payOnStripePage(`${link.url}?client_reference_id=list-old`, '4242424242424242', 'old@example.com');
    const found: string[] = [];
    for await (const s of payments.listCompletedSessions({ paymentLinkId: link.id, sinceSeconds: Math.floor(Date.now() / 1000) + 60 })) found.push(s.id);
    expect(found).toEqual([]);
  });
});

describe('refund', () => {
  it('refunds the payment with the reason, metadata and idempotency key it was given', async () => {
    const id = await paidSession('order-refund');
    const session = await stripe.checkout.sessions.retrieve(id);
    const out = await payments.refund({ paymentIntentId: String(session.payment_intent), reason: 'duplicate', metadata: { order: 'order-refund' }, idempotencyKey: 'refund-order-refund' });

    expect(out.id).toMatch(/^re_/);
    const refund = await stripe.refunds.retrieve(out.id);
    expect(refund).toMatchObject({ payment_intent: session.payment_intent, reason: 'duplicate', metadata: { order: 'order-refund' }, status: out.status });
    // The same key again is the same refund, not a second one.
    const again = await payments.refund({ paymentIntentId: String(session.payment_intent), reason: 'duplicate', metadata: { order: 'order-refund' }, idempotencyKey: 'refund-order-refund' });
    expect(again.id).toBe(out.id);
  });

  it('retries a 5xx with the same idempotency key and refunds once', async () => {
    const id = await paidSession('order-refund-5xx');
    const pi = String((await stripe.checkout.sessions.retrieve(id)).payment_intent);
    await planFault({ path: '/v1/refunds', status: '500', times: '2' });

    const out = await payments.refund({ paymentIntentId: pi, reason: 'requested_by_customer', metadata: {}, idempotencyKey: 'refund-5xx' });

    expect(since('refund-5xx').map((r) => r.status)).toEqual([500, 500, 200]);
    const refunds = await stripe.refunds.list({ payment_intent: pi });
    expect(refunds.data.map((r) => r.id)).toEqual([out.id]);
  });

  it('gives up after the SDK retries and reports Stripe "unavailable"', async () => {
    const id = await paidSession('order-refund-down');
    const pi = String((await stripe.checkout.sessions.retrieve(id)).payment_intent);
    await planFault({ path: '/v1/refunds', status: '503', times: '5' });

    const error = await payments.refund({ paymentIntentId: pi, reason: 'duplicate', metadata: {}, idempotencyKey: 'refund-down' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(PaymentsError);
    expect(error).toMatchObject({ kind: 'unavailable' });
    // One attempt and the two retries the client is built with.
    expect(since('refund-down').map((r) => r.status)).toEqual([503, 503, 503]);
    expect((await stripe.refunds.list({ payment_intent: pi })).data).toEqual([]);
  });

  it('maps a card error to "declined", without retrying', async () => {
    const id = await paidSession('order-refund-card');
    const pi = String((await stripe.checkout.sessions.retrieve(id)).payment_intent);
    await planFault({ path: '/v1/refunds', status: '402', type: 'card_error', code: 'expired_card', message: 'Your card has expired.' });

    const error = await payments.refund({ paymentIntentId: pi, reason: 'duplicate', metadata: {}, idempotencyKey: 'refund-card' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(PaymentsError);
    expect(error).toMatchObject({ kind: 'declined', code: 'expired_card' });
    expect((error as Error).cause).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(since('refund-card')).toHaveLength(1);
  });

  it('maps refunding an already refunded payment to "refused" (charge_already_refunded)', async () => {
    const id = await paidSession('order-refund-twice');
    const pi = String((await stripe.checkout.sessions.retrieve(id)).payment_intent);
    await payments.refund({ paymentIntentId: pi, reason: 'duplicate', metadata: {}, idempotencyKey: 'refund-first' });

    const error = await payments.refund({ paymentIntentId: pi, reason: 'duplicate', metadata: {}, idempotencyKey: 'refund-second' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(PaymentsError);
    expect(error).toMatchObject({ kind: 'refused', code: 'charge_already_refunded' });
  });
});

describe('verifyEvent (stripe.webhooks.constructEventAsync)', () => {
  const payload = (apiVersion: string | null = STRIPE_API_VERSION) =>
    JSON.stringify({ id: 'evt_adapter_1', object: 'event', api_version: apiVersion, type: 'checkout.session.completed', created: 1, livemode: false, data: { object: { id: 'cs_1' } } });
  const sign = (body: string, secret: string, timestamp = Math.floor(Date.now() / 1000)) =>
    stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp });

  it.each(['whsec_old', 'whsec_new'])('accepts an event signed with %s (either secret while rotating)', async (secret) => {
    const body = payload();
    await expect(payments.verifyEvent(body, sign(body, secret))).resolves.toMatchObject({ id: 'evt_adapter_1', type: 'checkout.session.completed' });
  });

  it.each([
    ['a missing header', () => undefined],
    ['another secret', () => sign(payload(), 'whsec_other')],
    ['a stale timestamp (301 s old)', () => sign(payload(), 'whsec_new', Math.floor(Date.now() / 1000) - 301)],
    ['a future timestamp (301 s ahead)', () => sign(payload(), 'whsec_new', Math.floor(Date.now() / 1000) + 301)],
    ['a garbled header', () => 'nonsense'],
  ])('refuses %s with a SignatureError', async (_what, header) => {
    await expect(payments.verifyEvent(payload(), header())).rejects.toBeInstanceOf(SignatureError);
  });

  it('refuses a body changed after signing', async () => {
    const header = sign(payload(), 'whsec_new');
    await expect(payments.verifyEvent(payload().replace('evt_adapter_1', 'evt_adapter_2'), header)).rejects.toBeInstanceOf(SignatureError);
  });

  it('accepts an event in another API version but logs it and counts StripeApiVersionMismatch', async () => {
    const added = vi.spyOn(metrics, 'addMetric');
    const body = payload('2023-08-16');

    await expect(payments.verifyEvent(body, sign(body, 'whsec_new'))).resolves.toMatchObject({ id: 'evt_adapter_1', api_version: '2023-08-16' });

    expect(added).toHaveBeenCalledWith('StripeApiVersionMismatch', 'Count', 1);
  });

  it('counts nothing for an event in the pinned version', async () => {
    const added = vi.spyOn(metrics, 'addMetric');
    const body = payload();
    await payments.verifyEvent(body, sign(body, 'whsec_new'));
    expect(added).not.toHaveBeenCalled();
    expect(noteApiVersion({ id: 'evt_x', type: 't', api_version: STRIPE_API_VERSION })).toBe(true);
  });
});
