/**
 * "Payments that never lose": delayed payments, refunds, disputes, event replay and server-side
 * Checkout Sessions on the local Stripe stand-in, driven by the real SDK. Every object is
 * checked against Stripe's published schemas.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStripeStandIn, type StripeStandIn } from '../../local/stripe/server.js';
import { stripeSchemaErrors } from '../../local/stripe/schema-check.js';
import { startWebhookReceiver, type WebhookReceiver, type ReceivedWebhook } from '../../local/stripe/webhook-receiver.js';

function expectSchema(schema: string, value: unknown): void {
  expect(stripeSchemaErrors(schema, JSON.parse(JSON.stringify(value)))).toEqual([]);
}

async function submit(url: string, fields: Record<string, string>): Promise<Response> {
  return fetch(url, { method: 'POST', redirect: 'manual', body: new URLSearchParams(fields) });
}

function sessionIdFrom(res: Response): string {
  return new URL(res.headers.get('location') ?? 'http://x/').searchParams.get('cs') ?? '';
}

interface Harness {
  standIn: StripeStandIn;
  receiver: WebhookReceiver;
  stripe: Stripe;
  secret: string;
  link: Stripe.PaymentLink;
  price: Stripe.Price;
  /** Pays the link and returns the session id. */
  pay(card: string, ref: string): Promise<string>;
  /** The verified event of `type` about object `id` (session, charge…). */
  eventFor(type: string, match: (o: Record<string, unknown>) => boolean): Promise<Stripe.Event>;
  close(): Promise<void>;
}

async function harness(opts: { settleAfterMs?: number; disputeAfterMs?: number } = {}): Promise<Harness> {
  const receiver = await startWebhookReceiver();
  const standIn = await startStripeStandIn({
    port: 0,
    webhookRetryBaseMs: 20,
    settleAfterMs: opts.settleAfterMs ?? 600_000,
    disputeAfterMs: opts.disputeAfterMs ?? 50,
  });
  const stripe = new Stripe('sk_test_payments', { host: '127.0.0.1', port: standIn.port, protocol: 'http' });
  const price = await stripe.prices.create({ product_data: { name: 'Report' }, unit_amount: 1200, currency: 'eur' });
  const link = await stripe.paymentLinks.create({
    line_items: [{ price: price.id, quantity: 1 }],
    after_completion: { type: 'redirect', redirect: { url: 'http://127.0.0.1:9/done?cs={CHECKOUT_SESSION_ID}' } },
  });
  const endpoint = await stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['*'] });
  const secret = endpoint.secret ?? '';
  return {
    standIn,
    receiver,
    stripe,
    secret,
    link,
    price,
    async pay(card, ref) {
      const res = await submit(link.url, { email: 'payer@example.com', card_number: card, client_reference_id: ref });
      expect(res.status).toBe(303);
      return sessionIdFrom(res);
    },
    async eventFor(type, match) {
      const w: ReceivedWebhook = await receiver.waitFor((x) => x.event.type === type && match(x.event.data.object));
      return stripe.webhooks.constructEvent(w.body, w.signature, secret);
    },
    async close() {
      await standIn.close();
      await receiver.close();
    },
  };
}

describe('delayed payments (test IBANs)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(async () => h.close());

  it('completes unpaid, then async_payment_succeeded when it settles', async () => {
    const id = await h.pay('DE89 3704 0044 0532 0130 00', 'iban-ok');

    const completed = await h.eventFor('checkout.session.completed', (o) => o.id === id);
    expect(completed.data.object).toMatchObject({ status: 'complete', payment_status: 'unpaid', client_reference_id: 'iban-ok' });
    expectSchema('checkout.session', completed.data.object);
    const pi = await h.stripe.paymentIntents.retrieve(String((completed.data.object as Stripe.Checkout.Session).payment_intent));
    expect(pi.status).toBe('processing');

    const settled = await fetch(`${h.standIn.url}/_test/sessions/${id}/settle`, { method: 'POST', body: new URLSearchParams({ outcome: 'succeeded' }) });
    expect(settled.status).toBe(200);

    const succeeded = await h.eventFor('checkout.session.async_payment_succeeded', (o) => o.id === id);
    expect(succeeded.data.object).toMatchObject({ status: 'complete', payment_status: 'paid' });
    expectSchema('event', succeeded);
    expect((await h.stripe.checkout.sessions.retrieve(id)).payment_status).toBe('paid');
    expect((await h.stripe.paymentIntents.retrieve(pi.id)).status).toBe('succeeded');
  });

  it('fails with async_payment_failed for the failing IBAN, leaving the session unpaid', async () => {
    const id = await h.pay('DE62370400440532013001', 'iban-fail');
    await h.eventFor('checkout.session.completed', (o) => o.id === id);

    const settled = await fetch(`${h.standIn.url}/_test/sessions/${id}/settle`, { method: 'POST' });
    expect(settled.status).toBe(200);

    const failed = await h.eventFor('checkout.session.async_payment_failed', (o) => o.id === id);
    expect(failed.data.object).toMatchObject({ status: 'complete', payment_status: 'unpaid' });
    expectSchema('checkout.session', failed.data.object);
    const session = await h.stripe.checkout.sessions.retrieve(id, { expand: ['payment_intent'] });
    expect((session.payment_intent as Stripe.PaymentIntent).status).toBe('requires_payment_method');
  });

  it('refuses to settle a session that has nothing pending', async () => {
    const id = await h.pay('4242424242424242', 'card-paid');
    const res = await fetch(`${h.standIn.url}/_test/sessions/${id}/settle`, { method: 'POST' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
  });
});

describe('delayed payments settle by themselves', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ settleAfterMs: 50 });
  });
  afterAll(async () => h.close());

  it('sends async_payment_succeeded after settleAfterMs without a test control', async () => {
    const id = await h.pay('DE89370400440532013000', 'auto');
    const event = await h.eventFor('checkout.session.async_payment_succeeded', (o) => o.id === id);
    expect(event.data.object).toMatchObject({ payment_status: 'paid' });
  });
});

describe('refunds', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(async () => h.close());

  async function paidIntent(ref: string): Promise<string> {
    const id = await h.pay('4242424242424242', ref);
    return String((await h.stripe.checkout.sessions.retrieve(id)).payment_intent);
  }

  it('refunds a payment intent in full, emits charge.refunded, and honours the Idempotency-Key', async () => {
    const pi = await paidIntent('refund-full');
    const key = `refund-${pi}`;

    const refund = await h.stripe.refunds.create({ payment_intent: pi, reason: 'duplicate', metadata: { orderId: 'refund-full' } }, { idempotencyKey: key });
    const again = await h.stripe.refunds.create({ payment_intent: pi, reason: 'duplicate', metadata: { orderId: 'refund-full' } }, { idempotencyKey: key });

    expect(refund).toMatchObject({ object: 'refund', amount: 1200, currency: 'eur', payment_intent: pi, reason: 'duplicate', status: 'succeeded', metadata: { orderId: 'refund-full' } });
    expect(refund.id).toMatch(/^re_/);
    expect(again.id).toBe(refund.id);
    expectSchema('refund', refund);
    expect((await h.stripe.refunds.list({ payment_intent: pi })).data.map((r) => r.id)).toEqual([refund.id]);
    expect((await h.stripe.refunds.retrieve(refund.id)).amount).toBe(1200);

    const event = await h.eventFor('charge.refunded', (o) => o.payment_intent === pi);
    expect(event.data.object).toMatchObject({ object: 'charge', refunded: true, amount_refunded: 1200, payment_intent: pi });
    expect(event.data.previous_attributes).toEqual({ amount_refunded: 0, refunded: false });
    expect(event.request).toMatchObject({ idempotency_key: key });
    expectSchema('event', event);
    expectSchema('charge', event.data.object);

    await expect(h.stripe.refunds.create({ payment_intent: pi })).rejects.toMatchObject({ statusCode: 400, code: 'charge_already_refunded' });
  });

  it('refunds part by part until the charge is fully refunded', async () => {
    const pi = await paidIntent('refund-partial');
    const charge = String((await h.stripe.paymentIntents.retrieve(pi)).latest_charge);

    await h.stripe.refunds.create({ charge, amount: 500 });
    const first = await h.eventFor('charge.refunded', (o) => o.id === charge && o.amount_refunded === 500);
    expect(first.data.object).toMatchObject({ refunded: false });

    await expect(h.stripe.refunds.create({ charge, amount: 701 })).rejects.toMatchObject({ statusCode: 400, code: 'amount_too_large' });
    await h.stripe.refunds.create({ charge, amount: 700 });
    const second = await h.eventFor('charge.refunded', (o) => o.id === charge && o.amount_refunded === 1200);
    expect(second.data.object).toMatchObject({ refunded: true });
    expect((await h.stripe.refunds.list({ charge })).data.map((r) => r.amount)).toEqual([700, 500]);
  });

  it.each([
    ['an unknown payment intent', { payment_intent: 'pi_missing' }, 404, 'resource_missing'],
    ['no target', {}, 400, 'parameter_missing'],
    ['a bad reason', { payment_intent: 'pi_missing', reason: 'because' }, 400, 'parameter_invalid_string'],
  ])('refuses %s', async (_label, params, status, code) => {
    await expect(h.stripe.refunds.create(params as Stripe.RefundCreateParams)).rejects.toMatchObject({ statusCode: status, code });
  });
});

describe('disputes', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ disputeAfterMs: 50 });
  });
  afterAll(async () => h.close());

  it('pays with 4000 0000 0000 0259, then sends charge.dispute.created', async () => {
    const id = await h.pay('4000 0000 0000 0259', 'disputed');
    const session = await h.stripe.checkout.sessions.retrieve(id, { expand: ['payment_intent'] });
    expect(session.payment_status).toBe('paid');
    const pi = session.payment_intent as Stripe.PaymentIntent;

    const event = await h.eventFor('charge.dispute.created', (o) => o.payment_intent === pi.id);
    expect(event.data.object).toMatchObject({ object: 'dispute', charge: pi.latest_charge, payment_intent: pi.id, amount: 1200, reason: 'fraudulent', status: 'needs_response' });
    expectSchema('dispute', event.data.object);
    expectSchema('event', event);
    expect((await h.stripe.charges.retrieve(String(pi.latest_charge))).disputed).toBe(true);
    await expect(h.stripe.refunds.create({ payment_intent: pi.id })).rejects.toMatchObject({ statusCode: 400, code: 'charge_disputed' });
    expect((await h.stripe.disputes.list({ payment_intent: pi.id })).data).toHaveLength(1);
  });

  it('opens a dispute on demand through the test control', async () => {
    const id = await h.pay('4242424242424242', 'dispute-now');
    const pi = await h.stripe.paymentIntents.retrieve(String((await h.stripe.checkout.sessions.retrieve(id)).payment_intent));
    const res = await fetch(`${h.standIn.url}/_test/charges/${String(pi.latest_charge)}/dispute`, { method: 'POST' });
    expect(res.status).toBe(200);
    await h.eventFor('charge.dispute.created', (o) => o.charge === pi.latest_charge);
  });
});

describe('events', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(async () => h.close());

  it('lists events by type, retrieves one, and redelivers it on retry', async () => {
    const id = await h.pay('4242424242424242', 'events');
    await h.eventFor('checkout.session.completed', (o) => o.id === id);

    const listed = await h.stripe.events.list({ type: 'checkout.session.completed', limit: 5 });
    expect(listed.data.length).toBeGreaterThanOrEqual(1);
    expect(listed.data.every((e) => e.type === 'checkout.session.completed')).toBe(true);
    const event = listed.data.find((e) => (e.data.object as { id: string }).id === id);
    expect(event).toBeDefined();
    for (const e of listed.data) expectSchema('event', e);
    const wildcard = await h.stripe.events.list({ type: 'charge.*' });
    expect(wildcard.data.map((e) => e.type)).toEqual(['charge.succeeded']);
    const one = await h.stripe.events.retrieve(event?.id ?? '');
    expect(one.id).toBe(event?.id);

    const before = h.receiver.received.filter((w) => w.event.id === one.id).length;
    const res = await fetch(`${h.standIn.url}/v1/events/${one.id}/retry`, { method: 'POST', headers: { authorization: 'Bearer sk_test_x' } });
    expect(res.status).toBe(200);
    const copies = h.receiver.received.filter((w) => w.event.id === one.id);
    expect(copies.length).toBe(before + 1);
    const last = copies[copies.length - 1];
    expect(h.stripe.webhooks.constructEvent(last?.body ?? '', last?.signature ?? '', h.secret).id).toBe(one.id);
  });

  it('lists events not yet delivered with delivery_success=false', async () => {
    const endpoint = await h.stripe.webhookEndpoints.create({ url: 'http://127.0.0.1:9/refused', enabled_events: ['checkout.session.completed'] });
    const id = await h.pay('4242424242424242', 'undelivered');

    const pending = await h.stripe.events.list({ delivery_success: false, type: 'checkout.session.completed' });
    const delivered = await h.stripe.events.list({ delivery_success: true, type: 'checkout.session.completed' });

    expect(pending.data.map((e) => (e.data.object as { id: string }).id)).toContain(id);
    expect(delivered.data.map((e) => (e.data.object as { id: string }).id)).not.toContain(id);
    await h.stripe.webhookEndpoints.del(endpoint.id);
  });

  it('404s an unknown event', async () => {
    await expect(h.stripe.events.retrieve('evt_missing')).rejects.toMatchObject({ statusCode: 404, code: 'resource_missing' });
  });
});

describe('server-side Checkout Sessions', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(async () => h.close());

  function create(extra: Partial<Stripe.Checkout.SessionCreateParams> = {}) {
    return h.stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [{ price: h.price.id, quantity: 1 }],
      client_reference_id: 'order-cs',
      customer_email: 'buyer@example.com',
      success_url: 'http://127.0.0.1:9/done?cs={CHECKOUT_SESSION_ID}',
      cancel_url: 'http://127.0.0.1:9/cancel',
      metadata: { orderId: 'order-cs' },
      ...extra,
    });
  }

  it('creates an open session whose url is a hosted page that takes the same cards', async () => {
    const session = await create();
    expect(session).toMatchObject({
      object: 'checkout.session',
      status: 'open',
      payment_status: 'unpaid',
      amount_total: 1200,
      currency: 'eur',
      client_reference_id: 'order-cs',
      customer_email: 'buyer@example.com',
      payment_link: null,
      metadata: { orderId: 'order-cs' },
      url: `${h.standIn.url}/c/pay/${session.id}`,
    });
    expectSchema('checkout.session', session);

    const page = await (await fetch(session.url ?? '')).text();
    expect(page).toContain('€12.00');
    expect(page).toContain('http://127.0.0.1:9/cancel');

    const declined = await submit(session.url ?? '', { email: 'buyer@example.com', card_number: '4000000000000002' });
    expect(declined.status).toBe(402);
    expect((await h.stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');

    const paid = await submit(session.url ?? '', { email: 'buyer@example.com', card_number: '4242424242424242' });
    expect(paid.status).toBe(303);
    expect(paid.headers.get('location')).toBe(`http://127.0.0.1:9/done?cs=${session.id}`);
    const event = await h.eventFor('checkout.session.completed', (o) => o.id === session.id);
    expect(event.data.object).toMatchObject({ status: 'complete', payment_status: 'paid', client_reference_id: 'order-cs', url: null });
    expect((await fetch(session.url ?? '')).status).toBe(410);
  });

  it('expires an open session with checkout.session.expired, and only once', async () => {
    const session = await create();
    const expired = await h.stripe.checkout.sessions.expire(session.id);
    expect(expired).toMatchObject({ status: 'expired', url: null });
    expectSchema('checkout.session', expired);
    await h.eventFor('checkout.session.expired', (o) => o.id === session.id);
    await expect(h.stripe.checkout.sessions.expire(session.id)).rejects.toMatchObject({ statusCode: 400 });
    const page = await submit(session.url ?? '', { email: 'buyer@example.com', card_number: '4242424242424242' });
    expect(page.status).toBe(410);
    expect((await h.stripe.checkout.sessions.list({ status: 'expired' })).data.map((s) => s.id)).toContain(session.id);
  });

  it.each([
    ['mode subscription', { mode: 'subscription' as const }, 'mode'],
    ['no success_url', { success_url: undefined }, 'success_url'],
    ['expires_at too soon', { expires_at: Math.floor(Date.now() / 1000) + 60 }, 'expires_at'],
    ['an unknown price', { line_items: [{ price: 'price_missing', quantity: 1 }] }, 'line_items[0][price]'],
  ])('refuses %s', async (_label, extra, param) => {
    await expect(create(extra)).rejects.toMatchObject({ param });
  });

  it('takes one payment when the page is submitted twice at once', async () => {
    const session = await create();
    const form = { email: 'buyer@example.com', card_number: '4242424242424242' };

    const results = await Promise.all([submit(session.url ?? '', form), submit(session.url ?? '', form)]);

    expect(results.map((r) => r.status).sort()).toEqual([303, 410]);
    await h.eventFor('checkout.session.completed', (o) => o.id === session.id);
    const completions = (await h.stripe.events.list({ type: 'checkout.session.completed', limit: 100 })).data.filter(
      (e) => (e.data.object as { id: string }).id === session.id,
    );
    expect(completions).toHaveLength(1);
  });

  it('returns payment intents and charges that match Stripe schemas', async () => {
    const session = await create();
    await submit(session.url ?? '', { email: 'buyer@example.com', card_number: '4242424242424242' });
    const paid = await h.stripe.checkout.sessions.retrieve(session.id, { expand: ['payment_intent.latest_charge'] });
    const pi = paid.payment_intent as Stripe.PaymentIntent;
    expect(pi).toMatchObject({ object: 'payment_intent', status: 'succeeded', amount: 1200, amount_received: 1200 });
    expect(pi.latest_charge).toMatchObject({ object: 'charge', paid: true, payment_intent: pi.id });
    expectSchema('payment_intent', { ...pi, latest_charge: (pi.latest_charge as Stripe.Charge).id });
    expectSchema('charge', pi.latest_charge);
  });
});

describe('restart with a data file', () => {
  it('keeps a pending delayed payment, the endpoint secret and the link, rebased to the new port', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stripe-restart-'));
    const file = join(dir, 'stripe.json');
    const receiver = await startWebhookReceiver();
    try {
      const first = await startStripeStandIn({ port: 0, dataFile: file, settleAfterMs: 600_000 });
      const client = new Stripe('sk_test_restart', { host: '127.0.0.1', port: first.port, protocol: 'http' });
      const price = await client.prices.create({ product_data: { name: 'Kept' }, unit_amount: 300, currency: 'usd' });
      const link = await client.paymentLinks.create({
        line_items: [{ price: price.id, quantity: 1 }],
        after_completion: { type: 'redirect', redirect: { url: 'http://127.0.0.1:9/?cs={CHECKOUT_SESSION_ID}' } },
      });
      const secret = (await client.webhookEndpoints.create({ url: receiver.url, enabled_events: ['*'] })).secret ?? '';
      const paid = await submit(link.url, { email: 'p@example.com', card_number: 'DE89370400440532013000', client_reference_id: 'restart' });
      const sessionId = sessionIdFrom(paid);
      await receiver.waitFor((w) => w.event.type === 'checkout.session.completed');
      await first.close();

      const second = await startStripeStandIn({ port: 0, dataFile: file, settleAfterMs: 600_000 });
      try {
        const again = new Stripe('sk_test_restart', { host: '127.0.0.1', port: second.port, protocol: 'http' });
        expect((await again.paymentLinks.retrieve(link.id)).url).toBe(`${second.url}/pay/${link.id}`);
        expect((await again.checkout.sessions.retrieve(sessionId)).payment_status).toBe('unpaid');

        const settled = await fetch(`${second.url}/_test/sessions/${sessionId}/settle`, { method: 'POST' });
        expect(settled.status).toBe(200);
        const w = await receiver.waitFor((x) => x.event.type === 'checkout.session.async_payment_succeeded');
        expect(again.webhooks.constructEvent(w.body, w.signature, secret).data.object).toMatchObject({ id: sessionId, payment_status: 'paid' });
      } finally {
        await second.close();
      }
    } finally {
      await receiver.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('session expiry', () => {
  it('expires an open session once expires_at has passed, with checkout.session.expired', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stripe-expiry-'));
    const file = join(dir, 'stripe.json');
    const receiver = await startWebhookReceiver();
    try {
      const first = await startStripeStandIn({ port: 0, dataFile: file });
      const client = new Stripe('sk_test_expiry', { host: '127.0.0.1', port: first.port, protocol: 'http' });
      const price = await client.prices.create({ product_data: { name: 'Soon gone' }, unit_amount: 300, currency: 'usd' });
      await client.webhookEndpoints.create({ url: receiver.url, enabled_events: ['checkout.session.expired'] });
      const session = await client.checkout.sessions.create({
        mode: 'payment',
        line_items: [{ price: price.id, quantity: 1 }],
        success_url: 'http://127.0.0.1:9/ok',
      });
      await first.close();
      // Stripe's shortest lifetime is 30 minutes: move this one's deadline into the past instead of waiting.
      const data = JSON.parse(readFileSync(file, 'utf8')) as { checkoutSessions: Record<string, { expires_at: number }> };
      const stored = data.checkoutSessions[session.id];
      if (!stored) throw new Error('session not persisted');
      stored.expires_at = Math.floor(Date.now() / 1000) - 1;
      writeFileSync(file, JSON.stringify(data));

      const second = await startStripeStandIn({ port: 0, dataFile: file, expirySweepMs: 20 });
      try {
        const w = await receiver.waitFor((x) => x.event.type === 'checkout.session.expired');
        expect(w.event.data.object).toMatchObject({ id: session.id, status: 'expired', url: null });
        const again = new Stripe('sk_test_expiry', { host: '127.0.0.1', port: second.port, protocol: 'http' });
        expect((await again.checkout.sessions.retrieve(session.id)).status).toBe('expired');
      } finally {
        await second.close();
      }
    } finally {
      await receiver.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
