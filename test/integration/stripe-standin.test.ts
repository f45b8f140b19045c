/**
 * The local Stripe stand-in, driven by the real `stripe` SDK: catalogue, Payment Link, hosted
 * page, signed webhook, session lookups. Every object it returns is checked against Stripe's
 * published schemas.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStripeStandIn, type StripeStandIn } from '../../local/stripe/server.js';
import { stripeSchemaErrors } from '../../local/stripe/schema-check.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../local/stripe/webhook-receiver.js';

/** What went over the wire: the SDK turns decimal strings into Decimal objects on the way in. */
function wire(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

function expectSchema(schema: string, value: unknown): void {
  expect(stripeSchemaErrors(schema, wire(value))).toEqual([]);
}

/** The first `<form method="post">` of a page, and its named fields' values. */
function firstPostForm(html: string): Map<string, string> {
  const form = /<form method="post"[^>]*>([\s\S]*?)<\/form>/.exec(html);
  if (!form) throw new Error('no post form on the page');
  const fields = new Map<string, string>();
  for (const m of (form[1] ?? '').matchAll(/<input([^>]*)>/g)) {
    const attrs = m[1] ?? '';
    const name = /name="([^"]*)"/.exec(attrs)?.[1];
    if (name) fields.set(name, /value="([^"]*)"/.exec(attrs)?.[1] ?? '');
  }
  return fields;
}

async function submit(url: string, fields: Record<string, string>): Promise<Response> {
  return fetch(url, { method: 'POST', redirect: 'manual', body: new URLSearchParams(fields) });
}

const REDIRECT = 'http://127.0.0.1:9/thanks?session_id={CHECKOUT_SESSION_ID}';

describe('local Stripe stand-in (payment link flow, real SDK)', () => {
  let dir: string;
  let standIn: StripeStandIn;
  let receiver: WebhookReceiver;
  let stripe: Stripe;
  let secret: string;
  let product: Stripe.Product;
  let price: Stripe.Price;
  let link: Stripe.PaymentLink;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stripe-standin-'));
    receiver = await startWebhookReceiver();
    standIn = await startStripeStandIn({ port: 0, dataFile: join(dir, 'stripe.json'), webhookRetryBaseMs: 20 });
    stripe = new Stripe('sk_test_standin', { host: '127.0.0.1', port: standIn.port, protocol: 'http' });
    product = await stripe.products.create({ name: 'Data quality report', description: 'Full report' });
    price = await stripe.prices.create({ product: product.id, unit_amount: 1200, currency: 'eur' });
    link = await stripe.paymentLinks.create({
      line_items: [{ price: price.id, quantity: 1 }],
      after_completion: { type: 'redirect', redirect: { url: REDIRECT } },
      metadata: { app: 'uplock' },
    });
    const endpoint = await stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['checkout.session.completed'] });
    secret = endpoint.secret ?? '';
  });

  afterAll(async () => {
    await standIn.close();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates a product, a price and a payment link that match Stripe schemas', () => {
    expect(product.id).toMatch(/^prod_[A-Za-z0-9]{14}$/);
    expect(price).toMatchObject({ object: 'price', unit_amount: 1200, currency: 'eur', product: product.id, type: 'one_time' });
    expect(link).toMatchObject({
      object: 'payment_link',
      active: true,
      currency: 'eur',
      metadata: { app: 'uplock' },
      after_completion: { type: 'redirect', redirect: { url: REDIRECT } },
      url: `${standIn.url}/pay/${link.id}`,
    });
    expect(link.id).toMatch(/^plink_/);
    expectSchema('product', product);
    expectSchema('price', price);
    expectSchema('payment_link', link);
  });

  it('retrieves and lists what it created', async () => {
    expect((await stripe.products.retrieve(product.id)).name).toBe('Data quality report');
    expect((await stripe.prices.retrieve(price.id)).unit_amount).toBe(1200);
    expect((await stripe.paymentLinks.retrieve(link.id)).url).toBe(link.url);
    expect((await stripe.prices.list({ product: product.id })).data.map((p) => p.id)).toEqual([price.id]);
    const links = await stripe.paymentLinks.list();
    expect(links).toMatchObject({ object: 'list', has_more: false, url: '/v1/payment_links' });
    expect(links.data.map((l) => l.id)).toContain(link.id);
  });

  it('gives a webhook endpoint a whsec_ signing secret, shown only on creation', async () => {
    expect(secret).toMatch(/^whsec_/);
    const listed = await stripe.webhookEndpoints.list();
    expect(listed.data).toHaveLength(1);
    expect(listed.data[0]).toMatchObject({ object: 'webhook_endpoint', url: receiver.url, enabled_events: ['checkout.session.completed'] });
    expect(listed.data[0]?.secret).toBeUndefined();
  });

  it('serves a hosted page with the product, the price and a prefilled, escaped form', async () => {
    const res = await fetch(`${link.url}?client_reference_id=order-1_A&prefilled_email=${encodeURIComponent('a"b@example.com')}`);
    expect(res.status).toBe(200);
    // Browsers apply form-action to the redirect after the POST: the success origin must be allowed.
    expect(res.headers.get('content-security-policy')).toContain("form-action 'self' http://127.0.0.1:9;");
    const html = await res.text();
    expect(html).toContain('Data quality report');
    expect(html).toContain('€12.00');
    const fields = firstPostForm(html);
    expect(fields.get('email')).toBe('a&quot;b@example.com');
    expect(fields.get('client_reference_id')).toBe('order-1_A');
    expect(fields.has('card_number')).toBe(true);
  });

  it.each([
    ['markup', '<script>alert(1)</script>'],
    ['a space', 'order 1'],
    ['201 characters', 'a'.repeat(201)],
  ])('drops a client_reference_id with %s, as Stripe does, and never echoes it raw', async (_label, value) => {
    const html = await (await fetch(`${link.url}?client_reference_id=${encodeURIComponent(value)}`)).text();
    expect(firstPostForm(html).get('client_reference_id')).toBe('');
    expect(html).not.toContain('<script>alert');
  });

  it('pays with 4242…, signs the event like Stripe and redirects to the session', async () => {
    const orderId = crypto.randomUUID();
    const html = await (await fetch(`${link.url}?client_reference_id=${orderId}&prefilled_email=buyer%40example.com`)).text();
    const form = Object.fromEntries(firstPostForm(html));

    const res = await submit(link.url, { ...form, email: 'payer@example.com', card_number: '4242 4242 4242 4242' });

    expect(res.status).toBe(303);
    const location = res.headers.get('location') ?? '';
    const sessionId = new URL(location).searchParams.get('session_id') ?? '';
    expect(location).toBe(REDIRECT.replace('{CHECKOUT_SESSION_ID}', sessionId));
    expect(sessionId).toMatch(/^cs_test_/);

    const delivery = await receiver.waitFor((w) => w.event.data.object.id === sessionId);
    expect(delivery.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    const event = stripe.webhooks.constructEvent(delivery.body, delivery.signature, secret);
    expect(event).toMatchObject({ type: 'checkout.session.completed', object: 'event', livemode: false, api_version: Stripe.API_VERSION });
    expect(event.id).toMatch(/^evt_/);
    expectSchema('event', event);

    const session = event.data.object as Stripe.Checkout.Session;
    expect(session).toMatchObject({
      id: sessionId,
      mode: 'payment',
      status: 'complete',
      payment_status: 'paid',
      amount_subtotal: 1200,
      amount_total: 1200,
      currency: 'eur',
      client_reference_id: orderId,
      customer_email: 'buyer@example.com',
      customer_details: { email: 'payer@example.com' },
      payment_link: link.id,
      metadata: { app: 'uplock' },
      livemode: false,
      url: null,
    });
    expect(session.payment_intent).toMatch(/^pi_/);
    expectSchema('checkout.session', session);

    const retrieved = await stripe.checkout.sessions.retrieve(sessionId);
    expect(retrieved).toEqual(session);
    const listed = await stripe.checkout.sessions.list({ payment_link: link.id, status: 'complete' });
    expect(listed.data.map((s) => s.id)).toContain(sessionId);
    for (const s of listed.data) expectSchema('checkout.session', s);
  });

  it('wrong signature secret or tampered body fails verification', async () => {
    const delivery = await receiver.waitFor(() => true);
    expect(() => stripe.webhooks.constructEvent(delivery.body, delivery.signature, 'whsec_wrong')).toThrow();
    expect(() => stripe.webhooks.constructEvent(`${delivery.body} `, delivery.signature, secret)).toThrow();
  });

  it.each([
    ['declined', '4000 0000 0000 0002', 402, 'Your card was declined.'],
    ['insufficient funds', '4000000000009995', 402, 'Your card has insufficient funds.'],
    ['not a test card', '4111 1111 1111 1111', 402, 'Your card was declined.'],
    ['invalid number', '1234 5678', 400, 'Your card number is invalid.'],
  ])('refuses a %s card with a visible error and creates nothing', async (_label, card, status, message) => {
    const before = (await stripe.checkout.sessions.list({ payment_link: link.id, limit: 100 })).data.length;
    const eventsBefore = receiver.received.length;

    const res = await submit(link.url, { email: 'payer@example.com', card_number: card, client_reference_id: 'order-2' });

    expect(res.status).toBe(status);
    const html = await res.text();
    expect(html).toContain(message);
    expect(firstPostForm(html).get('client_reference_id')).toBe('order-2');
    expect((await stripe.checkout.sessions.list({ payment_link: link.id, limit: 100 })).data).toHaveLength(before);
    expect(receiver.received.length).toBe(eventsBefore);
  });

  it('refuses a malformed email on the page', async () => {
    const res = await submit(link.url, { email: 'not-an-email', card_number: '4242424242424242' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Your email address is invalid.');
  });

  it('filters sessions by created[gte] and paginates with limit and starting_after', async () => {
    for (let i = 0; i < 2; i++) {
      await submit(link.url, { email: `p${i}@example.com`, card_number: '4242424242424242', client_reference_id: `page-${i}` });
    }
    const all = await stripe.checkout.sessions.list({ payment_link: link.id, limit: 100 });
    expect(all.data.length).toBeGreaterThanOrEqual(3);
    const first = await stripe.checkout.sessions.list({ payment_link: link.id, limit: 2 });
    expect(first.has_more).toBe(true);
    expect(first.data.map((s) => s.id)).toEqual(all.data.slice(0, 2).map((s) => s.id));
    const next = await stripe.checkout.sessions.list({ payment_link: link.id, limit: 2, starting_after: first.data[1]?.id });
    expect(next.data[0]?.id).toBe(all.data[2]?.id);
    const future = await stripe.checkout.sessions.list({ payment_link: link.id, created: { gte: Math.floor(Date.now() / 1000) + 3600 } });
    expect(future.data).toEqual([]);
    const recent = await stripe.checkout.sessions.list({ payment_link: link.id, created: { gte: Math.floor(Date.now() / 1000) - 3600 }, limit: 100 });
    expect(recent.data).toHaveLength(all.data.length);
    const open = await stripe.checkout.sessions.list({ payment_link: link.id, status: 'open' });
    expect(open.data).toEqual([]);
  });

  it('auto-pages through sessions with the SDK iterator', async () => {
    const ids: string[] = [];
    for await (const s of stripe.checkout.sessions.list({ payment_link: link.id, limit: 1 })) ids.push(s.id);
    const all = await stripe.checkout.sessions.list({ payment_link: link.id, limit: 100 });
    expect(ids).toEqual(all.data.map((s) => s.id));
  });

  it('updates a payment link: metadata merges, inactive links stop selling', async () => {
    const other = await stripe.paymentLinks.create({ line_items: [{ price: price.id, quantity: 2 }], metadata: { a: '1', b: '2' } });
    expect(other.after_completion.type).toBe('hosted_confirmation');
    const updated = await stripe.paymentLinks.update(other.id, {
      metadata: { b: '', c: '3' },
      after_completion: { type: 'redirect', redirect: { url: 'http://127.0.0.1:9/x' } },
    });
    expect(updated.metadata).toEqual({ a: '1', c: '3' });
    expect(updated.after_completion.redirect?.url).toBe('http://127.0.0.1:9/x');
    expectSchema('payment_link', updated);

    const page = await (await fetch(other.url)).text();
    expect(page).toContain('€24.00');

    await stripe.paymentLinks.update(other.id, { active: false });
    const closed = await fetch(other.url);
    expect(closed.status).toBe(410);
    expect(await closed.text()).not.toContain('<form');
    const paid = await submit(other.url, { email: 'p@example.com', card_number: '4242424242424242' });
    expect(paid.status).toBe(410);
  });

  it('charges unit price × quantity and shows a confirmation page for hosted_confirmation links', async () => {
    const threePack = await stripe.paymentLinks.create({
      line_items: [{ price: price.id, quantity: 3 }],
      after_completion: { type: 'hosted_confirmation', hosted_confirmation: { custom_message: 'Check <your> inbox' } },
    });

    const res = await submit(threePack.url, { email: 'three@example.com', card_number: '4242424242424242', client_reference_id: 'three' });

    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Thanks for your payment');
    expect(html).toContain('Check &lt;your&gt; inbox');
    const [session] = (await stripe.checkout.sessions.list({ payment_link: threePack.id })).data;
    expect(session).toMatchObject({ amount_subtotal: 3600, amount_total: 3600, client_reference_id: 'three', success_url: null });
    expectSchema('checkout.session', session);
  });

  it('expands line_items on a session and a link', async () => {
    const [session] = (await stripe.checkout.sessions.list({ payment_link: link.id, limit: 1, expand: ['data.line_items'] })).data;
    expect(session?.line_items?.data[0]).toMatchObject({ object: 'item', quantity: 1, amount_total: 1200, price: { id: price.id } });
    expectSchema('checkout.session', session);
    const items = await stripe.paymentLinks.listLineItems(link.id);
    expect(items.data[0]?.price?.id).toBe(price.id);
  });

  it('uses Stripe error envelopes: 404 resource_missing, 400 missing and unknown params', async () => {
    await expect(stripe.checkout.sessions.retrieve('cs_test_missing')).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      statusCode: 404,
      code: 'resource_missing',
      message: "No such checkout.session: 'cs_test_missing'",
    });
    await expect(stripe.prices.create({ currency: 'eur', unit_amount: 100 } as Stripe.PriceCreateParams)).rejects.toMatchObject({
      statusCode: 400,
      code: 'parameter_missing',
      param: 'product',
    });
    await expect(stripe.products.create({ name: 'x', colour: 'red' } as Stripe.ProductCreateParams)).rejects.toMatchObject({
      statusCode: 400,
      code: 'parameter_unknown',
      param: 'colour',
    });
    const raw = await fetch(`${standIn.url}/v1/nothing`, { headers: { authorization: 'Bearer sk_test_x' } });
    expect(raw.status).toBe(404);
    expect(await raw.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
    const malformed = await fetch(`${standIn.url}/v1/products`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk_test_x', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name[oops=1',
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
  });

  it.each([
    ['a live key', 'Bearer sk_live_abcdefghijkl'],
    ['a publishable key', 'Bearer pk_test_abcdefghijkl'],
    ['no key', ''],
  ])('refuses %s with a 401 in Stripe error shape', async (_label, authorization) => {
    const res = await fetch(`${standIn.url}/v1/products`, { headers: authorization ? { authorization } : {} });
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message.length).toBeGreaterThan(0);
  });

  it('replays the same response for a repeated Idempotency-Key and refuses it with other params', async () => {
    const key = `key-${crypto.randomUUID()}`;
    const a = await stripe.products.create({ name: 'Once' }, { idempotencyKey: key });
    const b = await stripe.products.create({ name: 'Once' }, { idempotencyKey: key });
    expect(b.id).toBe(a.id);
    await expect(stripe.products.create({ name: 'Twice' }, { idempotencyKey: key })).rejects.toMatchObject({
      type: 'StripeIdempotencyError',
      statusCode: 400,
    });
  });

  it('refuses to listen beyond loopback', async () => {
    await expect(startStripeStandIn({ port: 0, host: '0.0.0.0' })).rejects.toThrow(/loopback/);
  });

  it('keeps its state in the data file across a restart', async () => {
    const file = join(dir, 'restart.json');
    const first = await startStripeStandIn({ port: 0, dataFile: file });
    const client = new Stripe('sk_test_restart', { host: '127.0.0.1', port: first.port, protocol: 'http' });
    const kept = await client.products.create({ name: 'Kept' }, { idempotencyKey: 'kept-once' });
    await first.close();

    const second = await startStripeStandIn({ port: 0, dataFile: file });
    try {
      const again = new Stripe('sk_test_restart', { host: '127.0.0.1', port: second.port, protocol: 'http' });
      expect((await again.products.retrieve(kept.id)).name).toBe('Kept');
      // A key the caller chose still replays after the restart: no second product.
      expect((await again.products.create({ name: 'Kept' }, { idempotencyKey: 'kept-once' })).id).toBe(kept.id);
      expect((await again.products.list({ limit: 100 })).data).toHaveLength(1);
    } finally {
      await second.close();
    }
  });
});

describe('local Stripe stand-in (webhook delivery)', () => {
  let standIn: StripeStandIn;
  let receiver: WebhookReceiver;
  let stripe: Stripe;
  const SECRET = 'whsec_configured_for_tests';

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    standIn = await startStripeStandIn({ port: 0, webhookSecret: SECRET, webhookRetryBaseMs: 20, webhookMaxAttempts: 3 });
    stripe = new Stripe('sk_test_delivery', { host: '127.0.0.1', port: standIn.port, protocol: 'http' });
  });

  afterAll(async () => {
    await standIn.close();
    await receiver.close();
  });

  async function sell(): Promise<Stripe.PaymentLink> {
    const price = await stripe.prices.create({ product_data: { name: 'Thing' }, unit_amount: 500, currency: 'usd' });
    return stripe.paymentLinks.create({
      line_items: [{ price: price.id, quantity: 1 }],
      after_completion: { type: 'redirect', redirect: { url: 'http://127.0.0.1:9/ok?cs={CHECKOUT_SESSION_ID}' } },
    });
  }

  it('signs with the configured webhookSecret and returns it as the endpoint secret', async () => {
    const endpoint = await stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['*'] });
    expect(endpoint.secret).toBe(SECRET);
    const link = await sell();

    const res = await submit(link.url, { email: 'p@example.com', card_number: '4242424242424242', client_reference_id: 'sig' });
    expect(res.status).toBe(303);

    const delivery = await receiver.waitFor((w) => w.event.type === 'checkout.session.completed' && w.event.data.object.client_reference_id === 'sig');
    expect(delivery.contentType).toContain('application/json');
    expect(stripe.webhooks.constructEvent(delivery.body, delivery.signature, SECRET).type).toBe('checkout.session.completed');
    await stripe.webhookEndpoints.del(endpoint.id);
  });

  it('retries a failed delivery with backoff until the endpoint answers 2xx', async () => {
    const endpoint = await stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['checkout.session.completed'] });
    receiver.respondWith = (_event, attempt) => (attempt < 2 ? 500 : 200);
    const link = await sell();

    await submit(link.url, { email: 'p@example.com', card_number: '4242424242424242', client_reference_id: 'retry' });

    const ok = await receiver.waitFor((w) => w.event.data.object.client_reference_id === 'retry');
    const attempts = receiver.received.filter((w) => w.event.id === ok.event.id).map((w) => w.status);
    expect(attempts).toEqual([500, 200]);
    receiver.respondWith = () => 200;
    await stripe.webhookEndpoints.del(endpoint.id);
  });

  it('gives up after the configured number of attempts', async () => {
    const endpoint = await stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['checkout.session.completed'] });
    receiver.respondWith = () => 503;
    const link = await sell();

    await submit(link.url, { email: 'p@example.com', card_number: '4242424242424242', client_reference_id: 'giveup' });

    const third = await receiver.waitFor(
      (w) => w.event.data.object.client_reference_id === 'giveup' && receiver.received.filter((x) => x.event.id === w.event.id).length === 3,
      10_000,
      true,
    );
    // Give a fourth attempt the time it would need (8 × base) to show up, then count.
    await new Promise((r) => setTimeout(r, 400));
    expect(receiver.received.filter((w) => w.event.id === third.event.id)).toHaveLength(3);
    receiver.respondWith = () => 200;
    await stripe.webhookEndpoints.del(endpoint.id);
  });

  it('redirects even when no endpoint answers', async () => {
    const endpoint = await stripe.webhookEndpoints.create({ url: 'http://127.0.0.1:9/nothing-listens', enabled_events: ['*'] });
    const link = await sell();
    const res = await submit(link.url, { email: 'p@example.com', card_number: '4242424242424242' });
    expect(res.status).toBe(303);
    await stripe.webhookEndpoints.del(endpoint.id);
  });
});
