/**
 * Payments that never lose, double-charge or leak an order: every case against the local cloud,
 * with events produced by the Stripe stand-in (payments, refunds, disputes, delayed payments,
 * redelivery) or, for out-of-order and rotation cases, signed exactly as Stripe signs them.
 */
import { UpdateItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamoSettings } from '../../lambdas/adapters/clients';
import Stripe from 'stripe';
import { lambdaContext } from '../../local/lambda-context';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOrderOk,
  downloadLinkIn,
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

const CARD = '4242 4242 4242 4242';
const DISPUTE_CARD = '4000 0000 0000 0259';
const IBAN_SUCCEEDS = 'DE89 3704 0044 0532 0130 00';
const IBAN_FAILS = 'DE62 3704 0044 0532 0130 01';

let n = 0;
const uniqueEmail = (tag: string) => `${tag}-${Date.now()}-${n++}@example.com`;

const readyOrder = (email: string) => readyOrderIn(cloud, email);

async function pay(payUrl: string, card: string, email?: string): Promise<string> {
  const res = await payOnStripePage(payUrl, card, email);
  expect(res.status).toBe(303);
  return new URL(res.headers.get('location') as string).searchParams.get('session_id') as string;
}

async function eventsFor(sessionId: string, type: string): Promise<Stripe.Event[]> {
  const list = await stripe.events.list({ type, limit: 100 });
  return list.data.filter((e) => (e.data.object as { id?: string }).id === sessionId);
}

async function postSigned(body: string, signature: string, contentType = 'application/json'): Promise<Response> {
  return cloud.api('/api/stripe/webhook', { method: 'POST', headers: { 'content-type': contentType, 'stripe-signature': signature }, body });
}

const signedEvent = (type: string, object: unknown, id = `evt_test_${Date.now()}_${n++}`) => {
  const body = JSON.stringify({ id, object: 'event', api_version: Stripe.API_VERSION, created: Math.floor(Date.now() / 1000), livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, type, data: { object } });
  return { body, signature: verifier.webhooks.generateTestHeaderString({ payload: body, secret: cloud.webhookSecret }) };
};

async function downloadStatus(link: string): Promise<number> {
  return (await fetch(link, { redirect: 'manual' })).status;
}

describe('replays', () => {
  it('an event redelivered 10 times (stripe events resend) sends one email', async () => {
    const email = uniqueEmail('replay');
    const { orderId, payUrl } = await readyOrder(email);
    const sessionId = await pay(payUrl, CARD, email);
    await waitForOrder(cloud, orderId, (v) => v.delivered);
    const [completed] = await eventsFor(sessionId, 'checkout.session.completed');
    expect(completed).toBeDefined();
    const resend = () => fetch(`${cloud.urls.stripe}/v1/events/${completed!.id}/retry`, { method: 'POST', headers: { authorization: 'Bearer sk_test_uplock_local' } });
    const answers = await Promise.all(Array.from({ length: 10 }, resend));
    expect(answers.map((r) => r.status)).toEqual(Array(10).fill(200));
    await new Promise((r) => setTimeout(r, 300));
    expect(await waitForEmails(cloud, email, 2, 300)).toHaveLength(1);
  });
});

describe('delayed payments', () => {
  it('a delayed payment shows pending, then delivers once it settles', async () => {
    const email = uniqueEmail('iban');
    const { orderId, payUrl } = await readyOrder(email);
    const sessionId = await pay(payUrl, IBAN_SUCCEEDS, email);
    const pending = await waitForOrder(cloud, orderId, (v) => v.payment === 'pending');
    expect(pending).toMatchObject({ delivered: false });
    expect(pending.payUrl).toBeUndefined();
    const settle = await fetch(`${cloud.urls.stripe}/_test/sessions/${sessionId}/settle`, { method: 'POST', body: new URLSearchParams({ outcome: 'succeeded' }) });
    expect(settle.status).toBe(200);
    await waitForOrder(cloud, orderId, (v) => v.delivered);
    expect(await waitForEmails(cloud, email, 1)).toHaveLength(1);
  });

  it('a delayed payment that fails returns the order to unpaid, with its pay link', async () => {
    const email = uniqueEmail('iban-fail');
    const { orderId, payUrl } = await readyOrder(email);
    const sessionId = await pay(payUrl, IBAN_FAILS, email);
    await waitForOrder(cloud, orderId, (v) => v.payment === 'pending');
    await fetch(`${cloud.urls.stripe}/_test/sessions/${sessionId}/settle`, { method: 'POST', body: new URLSearchParams({ outcome: 'failed' }) });
    const back = await waitForOrder(cloud, orderId, (v) => v.payment === 'unpaid');
    expect(back.payUrl).toBeDefined();
    expect(await waitForEmails(cloud, email, 1, 300)).toHaveLength(0);
  });

  it('out of order: "succeeded" before "completed: unpaid" still ends paid and delivered once', async () => {
    const email = uniqueEmail('ooo');
    const { orderId, payUrl } = await readyOrder(email);
    // A real settled session, then its events replayed in the wrong order under new ids.
    const sessionId = await pay(payUrl, IBAN_SUCCEEDS, email);
    await fetch(`${cloud.urls.stripe}/_test/sessions/${sessionId}/settle`, { method: 'POST', body: new URLSearchParams({ outcome: 'succeeded' }) });
    await waitForOrder(cloud, orderId, (v) => v.delivered);
    const paidSession = await stripe.checkout.sessions.retrieve(sessionId);
    const other = await readyOrder(uniqueEmail('ooo-2'));
    const session = { ...paidSession, client_reference_id: other.orderId, customer_details: { ...paidSession.customer_details, email } };
    const succeeded = signedEvent('checkout.session.async_payment_succeeded', session);
    const completedUnpaid = signedEvent('checkout.session.completed', { ...session, payment_status: 'unpaid' });
    expect((await postSigned(succeeded.body, succeeded.signature)).status).toBe(200);
    expect((await postSigned(completedUnpaid.body, completedUnpaid.signature)).status).toBe(200);
    const view = await waitForOrder(cloud, other.orderId, (v) => v.delivered);
    expect(view.payment).toBe('paid');
    expect(await waitForEmails(cloud, email, 3, 300)).toHaveLength(2);
  });
});

describe('refunds', () => {
  it('a second payment for a paid order is refunded (duplicate) and the payer told', async () => {
    const email = uniqueEmail('twice');
    const { orderId, payUrl } = await readyOrder(email);
    await pay(payUrl, CARD, email);
    await waitForOrder(cloud, orderId, (v) => v.delivered);
    const second = await pay(payUrl, CARD, email);
    const secondSession = await stripe.checkout.sessions.retrieve(second);
    const refunds = await waitFor(async () => (await stripe.refunds.list({ payment_intent: secondSession.payment_intent as string })).data, (r) => r.length > 0);
    expect(refunds).toHaveLength(1);
    expect(refunds[0]).toMatchObject({ reason: 'duplicate', amount: 900, metadata: { uplock_order: orderId } });
    const mails = await waitForEmails(cloud, email, 2);
    expect(mails).toHaveLength(2);
    expect(mails.map((m) => m.subject).join(' | ')).toMatch(/refunded a second payment/);
    // The order stands: paid, delivered, link works.
    expect(await getOrder(cloud, orderId)).toMatchObject({ payment: 'paid', delivered: true });
    const delivery = mails.find((m) => downloadLinkIn(m));
    expect(await downloadStatus(downloadLinkIn(delivery!) as string)).toBe(302);
  });

  it('an operator refund revokes the download link', async () => {
    const email = uniqueEmail('refund');
    const { orderId, payUrl } = await readyOrder(email);
    const sessionId = await pay(payUrl, CARD, email);
    await waitForOrder(cloud, orderId, (v) => v.delivered);
    const [mail] = await waitForEmails(cloud, email, 1);
    const link = downloadLinkIn(mail!) as string;
    expect(await downloadStatus(link)).toBe(302);
    const session = await stripe.checkout.sessions.retrieve(sessionId);
    await stripe.refunds.create({ payment_intent: session.payment_intent as string });
    await waitForOrder(cloud, orderId, (v) => v.payment === 'refunded');
    const res = await fetch(link, { redirect: 'manual' });
    expect(res.status).toBe(410);
    expect(await res.json()).toMatchObject({ error: { code: 'link_revoked' } });
  });

  it('a dispute revokes the download link', async () => {
    const email = uniqueEmail('dispute');
    const { orderId, payUrl } = await readyOrder(email);
    const sessionId = await pay(payUrl, DISPUTE_CARD, email);
    await waitForOrder(cloud, orderId, (v) => v.delivered);
    const link = downloadLinkIn((await waitForEmails(cloud, email, 1))[0]!) as string;
    expect(await downloadStatus(link)).toBe(302);
    const session = await stripe.checkout.sessions.retrieve(sessionId);
    const charges = await stripe.charges.list({ payment_intent: session.payment_intent as string });
    const dispute = await fetch(`${cloud.urls.stripe}/_test/charges/${charges.data[0]!.id}/dispute`, { method: 'POST' });
    expect(dispute.status).toBe(200);
    expect(await waitFor(() => downloadStatus(link), (status) => status === 410)).toBe(410);
    expect(await getOrder(cloud, orderId)).toMatchObject({ payment: 'paid', delivered: true });
  });

  it('a job that fails after payment is refunded: no result, no charge', async () => {
    const email = uniqueEmail('noresult');
    const order = await createOrderOk(cloud, email, 'broken.csv', 'x');
    const payUrl = new URL(cloud.config.stripe.paymentLinkUrl as string);
    payUrl.searchParams.set('client_reference_id', order.orderId);
    const sessionId = await pay(payUrl.toString(), CARD, email);
    await waitForOrder(cloud, order.orderId, (v) => v.payment === 'paid');
    await uploadFile(order, 'broken.csv', new Uint8Array(0));
    const view = await waitForOrder(cloud, order.orderId, (v) => v.payment === 'refunded');
    expect(view).toMatchObject({ job: 'failed', delivered: false });
    const session = await stripe.checkout.sessions.retrieve(sessionId);
    const refunds = await stripe.refunds.list({ payment_intent: session.payment_intent as string });
    expect(refunds.data).toHaveLength(1);
    const mails = await waitForEmails(cloud, email, 1);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toMatch(/refunded/);
    expect(downloadLinkIn(mails[0]!)).toBeUndefined();
  });
});

describe('refunds and disputes that arrive before the payment', () => {
  it.each([
    ['a dispute', 'charge.dispute.created', (pi: string) => ({ id: `dp_early_${n++}`, object: 'dispute', charge: 'ch_early', payment_intent: pi, amount: 900, reason: 'fraudulent' }), 'paid'],
    ['a full refund', 'charge.refunded', (pi: string) => ({ id: `ch_early_${n++}`, object: 'charge', payment_intent: pi, amount: 900, amount_refunded: 900, refunded: true }), 'refunded'],
  ])('%s first: the payment that follows unlocks nothing', async (_name, type, object, payment) => {
    const email = uniqueEmail('early');
    const { orderId } = await readyOrder(email);
    const donor = await readyOrder(uniqueEmail('early-donor'));
    const template = await stripe.checkout.sessions.retrieve(await pay(donor.payUrl, CARD));
    const pi = `pi_early_${Date.now()}_${n++}`;
    const first = signedEvent(type, object(pi));
    expect((await postSigned(first.body, first.signature)).status).toBe(200);
    const session = { ...template, id: `cs_test_early${n++}`, payment_intent: pi, client_reference_id: orderId, customer_details: { ...template.customer_details, email } };
    const completed = signedEvent('checkout.session.completed', session);
    expect((await postSigned(completed.body, completed.signature)).status).toBe(200);
    expect(await getOrder(cloud, orderId)).toMatchObject({ payment, delivered: false });
    expect(await waitForEmails(cloud, email, 1, 300)).toHaveLength(0);
  });
});

describe('the sweeper', () => {
  it('delivers a payment whose webhook never arrived, and a second run changes nothing', async () => {
    const email = uniqueEmail('missed');
    const { orderId, payUrl } = await readyOrder(email);
    // Stripe cannot reach us: the endpoint is disabled for this payment.
    const endpoints = await stripe.webhookEndpoints.list();
    for (const e of endpoints.data) await stripe.webhookEndpoints.update(e.id, { disabled: true });
    try {
      await pay(payUrl, CARD, email);
    } finally {
      for (const e of endpoints.data) await stripe.webhookEndpoints.update(e.id, { disabled: false });
    }
    expect(await getOrder(cloud, orderId)).toMatchObject({ payment: 'unpaid', delivered: false });
    await cloud.sweep();
    expect(await getOrder(cloud, orderId)).toMatchObject({ payment: 'paid', delivered: true });
    await cloud.sweep();
    expect(await waitForEmails(cloud, email, 2, 300)).toHaveLength(1);
  });

  it('retries a delivery whose claim was left behind by a crash', async () => {
    const email = uniqueEmail('crash');
    const { orderId, payUrl } = await readyOrder(email);
    // A process claimed delivery and died before sending: the claim is there, no email went out.
    const dynamo = new DynamoDBClient(dynamoSettings(cloud.config));
    const setClaimAt = (at: number) =>
      dynamo.send(
        new UpdateItemCommand({
          TableName: cloud.config.tableName,
          Key: { pk: { S: `ORDER#${orderId}` } },
          UpdateExpression: 'SET claimId = :c, claimAt = :at',
          ExpressionAttributeValues: { ':c': { S: 'crashed-process' }, ':at': { N: String(at) } },
        }),
      );
    await setClaimAt(Date.now());
    await pay(payUrl, CARD, email);
    await waitForOrder(cloud, orderId, (v) => v.payment === 'paid');
    expect(await getOrder(cloud, orderId)).toMatchObject({ delivered: false });
    expect(await waitForEmails(cloud, email, 1, 300)).toHaveLength(0);
    // Time passes: the claim expires, and the next sweep delivers.
    await setClaimAt(Date.now() - 6 * 60 * 1000);
    await cloud.sweep();
    expect(await getOrder(cloud, orderId)).toMatchObject({ delivered: true });
    expect(await waitForEmails(cloud, email, 2, 300)).toHaveLength(1);
    dynamo.destroy();
  });
});

describe('webhook transport', () => {
  it('verifies a base64-encoded body (API Gateway binary payloads)', async () => {
    const { orderId } = await readyOrder(uniqueEmail('b64'));
    const donor = await readyOrder(uniqueEmail('b64-donor'));
    const base = await stripe.checkout.sessions.retrieve(await pay(donor.payUrl, CARD));
    const event = signedEvent('checkout.session.completed', { ...base, client_reference_id: orderId });
    // An octet-stream body reaches the handler base64-encoded, as API Gateway sends it.
    const res = await postSigned(event.body, event.signature, 'application/octet-stream');
    expect(res.status).toBe(200);
    await waitForOrder(cloud, orderId, (v) => v.payment === 'paid');
  });

  it('accepts any matching v1 signature (rotation) and refuses future-dated timestamps', async () => {
    const { body } = signedEvent('customer.created', { id: 'cus_1', object: 'customer' });
    const good = verifier.webhooks.generateTestHeaderString({ payload: body, secret: cloud.webhookSecret });
    const t = /t=(\d+)/.exec(good)?.[1];
    const v1 = /v1=([0-9a-f]+)/.exec(good)?.[1];
    expect((await postSigned(body, `t=${t},v1=${'0'.repeat(64)},v1=${v1}`)).status).toBe(200);
    const future = verifier.webhooks.generateTestHeaderString({ payload: body, secret: cloud.webhookSecret, timestamp: Math.floor(Date.now() / 1000) + 3600 });
    expect((await postSigned(body, future)).status).toBe(400);
  });
});

describe('the EventBridge event destination', () => {
  it('handles a Stripe event from the envelope, deduplicated against the webhook', async () => {
    const { handler } = await import('../../lambdas/handlers/stripe-events');
    const email = uniqueEmail('eb');
    const { orderId, payUrl } = await readyOrder(email);
    const endpoints = await stripe.webhookEndpoints.list();
    for (const e of endpoints.data) await stripe.webhookEndpoints.update(e.id, { disabled: true });
    let sessionId: string;
    try {
      sessionId = await pay(payUrl, CARD, email);
    } finally {
      for (const e of endpoints.data) await stripe.webhookEndpoints.update(e.id, { disabled: false });
    }
    const [event] = await eventsFor(sessionId, 'checkout.session.completed');
    const envelope = { version: '0', id: 'eb-1', 'detail-type': event!.type, source: 'aws.partner/stripe.com/ed_test', account: '0', time: '', region: 'us-east-1', resources: [], detail: event };
    expect(await handler(envelope as never, lambdaContext('stripe-events'))).toBe('delivered');
    // The same event again: Powertools returns the stored outcome, nothing runs twice.
    expect(await handler(envelope as never, lambdaContext('stripe-events'))).toBe('delivered');
    expect(await handler({ ...envelope, detail: { nope: true } } as never, lambdaContext('stripe-events'))).toBe('malformed');
    expect(await getOrder(cloud, orderId)).toMatchObject({ delivered: true });
  });
});

async function waitFor<T>(get: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await get();
  while (!ok(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    value = await get();
  }
  return value;
}
