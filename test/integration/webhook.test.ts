/**
 * The webhook against the local cloud: forged, stale and missing signatures; sessions that do not
 * match config or name unknown orders; replays and races. Events are signed exactly as Stripe
 * signs them, with the SDK's own test-header helper and the endpoint's real secret.
 */
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOrderOk,
  getOrder,
  payOnStripePage,
  sampleCsv,
  startTestCloud,
  uploadFile,
  waitForEmails,
  waitForOrder,
  type TestCloud,
  readyOrder as readyOrderIn,
  standInStripe,
} from './local-cloud';

let cloud: TestCloud;
let stripe: Stripe;
const verifier = new Stripe('sk_test_unused');

beforeAll(async () => {
  cloud = await startTestCloud();
  stripe = standInStripe(cloud);
});

afterAll(async () => {
  await cloud?.stop();
});

let eventCounter = 0;
function event(type: string, object: unknown): { id: string; body: string } {
  const id = `evt_test_${Date.now()}_${eventCounter++}`;
  const body = JSON.stringify({ id, object: 'event', api_version: Stripe.API_VERSION, created: Math.floor(Date.now() / 1000), livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, type, data: { object } });
  return { id, body };
}

function post(body: string, signature: string | undefined): Promise<Response> {
  return cloud.api('/api/stripe/webhook', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signature ? { 'stripe-signature': signature } : {}) },
    body,
  });
}

const sign = (body: string, opts: { secret?: string; timestamp?: number } = {}): string =>
  verifier.webhooks.generateTestHeaderString({ payload: body, secret: opts.secret ?? cloud.webhookSecret, ...(opts.timestamp ? { timestamp: opts.timestamp } : {}) });

const readyOrder = (email: string) => readyOrderIn(cloud, email);

/**
 * A genuine paid session for `orderId`, produced by paying on the Stripe page of a *different*
 * order and reading the session back — so the template is a real Stripe object, then edited.
 */
async function realSession(): Promise<Stripe.Checkout.Session> {
  const donor = await readyOrder('donor@example.com');
  const res = await payOnStripePage(donor.payUrl, '4242424242424242');
  const sessionId = new URL(res.headers.get('location') as string).searchParams.get('session_id') as string;
  return stripe.checkout.sessions.retrieve(sessionId);
}

describe('signatures', () => {
  it.each([
    ['missing', undefined],
    ['wrong secret', 'wrong'],
    ['garbage header', 'garbage'],
    ['stale timestamp (10 minutes old)', 'stale'],
  ])('refuses a %s signature with 400 and changes nothing', async (_name, kind) => {
    const { orderId } = await readyOrder(`sig-${kind ?? 'none'}@example.com`);
    const session = { ...(await realSession()), client_reference_id: orderId };
    const { body } = event('checkout.session.completed', session);
    const signature =
      kind === undefined
        ? undefined
        : kind === 'wrong'
          ? sign(body, { secret: 'whsec_not_the_secret' })
          : kind === 'stale'
            ? sign(body, { timestamp: Math.floor(Date.now() / 1000) - 600 })
            : 't=1,v1=deadbeef';
    const res = await post(body, signature);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_signature' } });
    expect(await getOrder(cloud, orderId)).toMatchObject({ payment: 'unpaid', delivered: false });
  });

  it('refuses a body altered after signing', async () => {
    const { orderId } = await readyOrder('tamper@example.com');
    const session = { ...(await realSession()), client_reference_id: orderId };
    const { body } = event('checkout.session.completed', session);
    const res = await post(body.replace('"amount_total":900', '"amount_total":1'), sign(body));
    expect(res.status).toBe(400);
    expect(await getOrder(cloud, orderId)).toMatchObject({ payment: 'unpaid' });
  });
});

describe('sessions that must not unlock anything', () => {
  it.each([
    ['an unknown order', (s: Stripe.Checkout.Session) => ({ ...s, client_reference_id: crypto.randomUUID() })],
    ['a different amount', (s: Stripe.Checkout.Session) => ({ ...s, amount_total: 1 })],
    ['a different currency', (s: Stripe.Checkout.Session) => ({ ...s, currency: 'jpy' })],
    ['a different payment link', (s: Stripe.Checkout.Session) => ({ ...s, payment_link: 'plink_someoneelse' })],
    ['live mode while configured for test', (s: Stripe.Checkout.Session) => ({ ...s, livemode: true })],
  ])('acknowledges %s with 200 and leaves the order unpaid', async (_name, tamper) => {
    const { orderId } = await readyOrder('mismatch@example.com');
    const session = tamper({ ...(await realSession()), client_reference_id: orderId });
    const { body } = event('checkout.session.completed', session);
    const res = await post(body, sign(body));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true });
    expect(await getOrder(cloud, orderId)).toMatchObject({ payment: 'unpaid', delivered: false });
  });

  it('acknowledges event types it does not handle', async () => {
    const { body } = event('customer.created', { id: 'cus_1', object: 'customer' });
    const res = await post(body, sign(body));
    expect(res.status).toBe(200);
  });
});

describe('replays and races', () => {
  it('sends exactly one email when the same event arrives twice, and when two events race', async () => {
    const { orderId } = await readyOrder('race@example.com');
    const base = await realSession();
    const session = { ...base, client_reference_id: orderId, customer_details: { ...base.customer_details, email: 'race@example.com' } };
    const first = event('checkout.session.completed', session);
    const second = event('checkout.session.completed', session);
    const deliveries = await Promise.all([
      post(first.body, sign(first.body)),
      post(first.body, sign(first.body)),
      post(second.body, sign(second.body)),
      post(second.body, sign(second.body)),
    ]);
    // Each event id is handled once: a copy that arrives while the first is in progress gets
    // 503 (Stripe retries it), one that arrives after gets 200 with the stored outcome.
    const statuses = deliveries.map((r) => r.status);
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(2);
    // Later replays, too.
    for (let i = 0; i < 3; i++) expect((await post(first.body, sign(first.body))).status).toBe(200);
    await waitForOrder(cloud, orderId, (v) => v.delivered);
    // Give any straggler a moment to (wrongly) send a second email before counting.
    await new Promise((r) => setTimeout(r, 300));
    expect(await waitForEmails(cloud, 'race@example.com', 2, 500)).toHaveLength(1);
  });
});
