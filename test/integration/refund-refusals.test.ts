/**
 * A refund Stripe refuses for good, against the local cloud and the Stripe stand-in
 * (core/stripe-events.ts requestRefund). The stand-in refuses a refund of a disputed charge by
 * itself (`charge_disputed`, as Stripe does); other answers are planned with its
 * `POST /_test/faults` (docs/local-stripe.md, docs/local-cloud.md "Refusing a refund"). The
 * webhook must answer so that Stripe stops redelivering: a planned refusal is served once, so a
 * 5xx would show as a redelivery whose refund goes through.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocument } from '@aws-sdk/lib-dynamodb';
import StripeSdk from 'stripe';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { awsClientSettings } from '../../lambdas/adapters/clients';
import { METRIC_DIMENSIONS, METRIC_NAMESPACE, type MetricName, type TimelineEntry } from '../../lambdas/contract';
import { createOrderOk, emails, eventually, getOrder, payOnStripePage, startTestCloud, uploadFile, waitForOrder, type TestCloud } from './local-cloud';

const CARD = '4242 4242 4242 4242';

let cloud: TestCloud;
let savedMetricsSetting: string | undefined;
/** EMF lines Powertools printed (the handlers run in this process). */
const emf: string[] = [];

beforeAll(async () => {
  // The local cloud turns metrics off unless told otherwise: here they are what is checked.
  savedMetricsSetting = process.env.POWERTOOLS_METRICS_DISABLED;
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  const write = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (text.includes('"_aws"')) {
      emf.push(...text.split('\n').filter((line) => line.includes('"_aws"')));
      return true;
    }
    return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
  });
  cloud = await startTestCloud();
});

afterAll(async () => {
  await cloud?.stop();
  vi.restoreAllMocks();
  if (savedMetricsSetting === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
  else process.env.POWERTOOLS_METRICS_DISABLED = savedMetricsSetting;
});

let n = 0;
const uniqueEmail = (tag: string) => `${tag}-${Date.now()}-${n++}@example.com`;
const stripe = () => {
  const url = new URL(cloud.urls.stripe);
  return new StripeSdk('sk_test_uplock_local', { host: url.hostname, port: url.port, protocol: 'http' });
};

/** How often the handlers counted `name`, in the declared namespace with the declared dimensions. */
function counted(name: MetricName): number {
  let total = 0;
  for (const line of emf) {
    const doc = JSON.parse(line) as Record<string, unknown> & { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] } };
    for (const directive of doc._aws.CloudWatchMetrics) {
      if (directive.Namespace !== METRIC_NAMESPACE || !directive.Metrics.some((m) => m.Name === name)) continue;
      const dimensions = Object.fromEntries(directive.Dimensions.flat().map((key) => [key, doc[key]]));
      if (JSON.stringify(dimensions) === JSON.stringify(METRIC_DIMENSIONS)) total += Number(doc[name]);
    }
  }
  return total;
}

/** The order's timeline as stored (what `uplock orders show` prints). */
async function timeline(orderId: string): Promise<TimelineEntry[]> {
  const db = DynamoDBDocument.from(new DynamoDBClient(awsClientSettings(cloud.config.region, cloud.urls.dynamodb)));
  try {
    const out = await db.get({ TableName: cloud.config.tableName, Key: { pk: `ORDER#${orderId}` }, ConsistentRead: true });
    return ((out.Item as { history?: TimelineEntry[] } | undefined)?.history ?? []) as TimelineEntry[];
  } finally {
    db.destroy();
  }
}

/** The stand-in answers the next `times` refund requests with this Stripe error. */
async function planRefundRefusal(code: string, times = 1): Promise<void> {
  const res = await fetch(`${cloud.urls.stripe}/_test/faults`, {
    method: 'POST',
    body: new URLSearchParams({ path: '/v1/refunds', status: '400', type: 'invalid_request_error', code, message: `Planned refusal: ${code}.`, times: String(times) }),
  });
  expect(res.status).toBe(200);
}

/** Pay the order through the Payment Link (as a buyer holding the link can, whatever the page shows). */
async function pay(orderId: string, email: string): Promise<{ sessionId: string; paymentIntent: string }> {
  const url = new URL(cloud.config.stripe.paymentLinkUrl as string);
  url.searchParams.set('client_reference_id', orderId);
  const res = await payOnStripePage(url.toString(), CARD, email);
  expect(res.status).toBe(303);
  const sessionId = new URL(res.headers.get('location') as string).searchParams.get('session_id') as string;
  const session = await stripe().checkout.sessions.retrieve(sessionId);
  return { sessionId, paymentIntent: String(session.payment_intent) };
}

/** An order whose job failed (an empty upload), not paid. */
async function failedOrder(email: string): Promise<string> {
  const order = await createOrderOk(cloud, email, 'data.csv', 'x');
  await uploadFile(order, 'data.csv', '');
  await waitForOrder(cloud, order.orderId, (v) => v.job === 'failed');
  return order.orderId;
}

/** Stripe holds no delivery of the session's completed event: the webhook answered 2xx. */
async function expectCompletedEventAnswered(sessionId: string): Promise<void> {
  await eventually(async () => {
    const list = await stripe().events.list({ type: 'checkout.session.completed', limit: 100 });
    const event = list.data.find((e) => (e.data.object as { id: string }).id === sessionId);
    expect(event).toBeDefined();
    expect(event?.pending_webhooks).toBe(0);
  });
}

const mailTo = async (to: string) => (await emails(cloud)).filter((e) => e.destination.to.includes(to));

describe('a refund Stripe refuses for good', () => {
  it('a payment for a failed job, its refund refused (charge_disputed): recorded on the order, logged, counted, the event answered; the sweeper does not ask again', async () => {
    const email = uniqueEmail('refused');
    const orderId = await failedOrder(email);
    const before = counted('RefundRefused');
    await planRefundRefusal('charge_disputed');

    const { sessionId, paymentIntent } = await pay(orderId, email);

    await expectCompletedEventAnswered(sessionId);
    await eventually(async () => expect((await timeline(orderId)).map((e) => e.kind)).toContain('refund_refused'));
    expect((await timeline(orderId)).filter((e) => e.kind === 'refund_refused')).toEqual([
      expect.objectContaining({ detail: { code: 'charge_disputed', reason: 'the job failed: no result, no charge', idempotencyKey: `uplock-no-result-${orderId}` } }),
    ]);
    // The order page learns it (GET /api/orders/{id}): it says the shop refunds it, not "not charged".
    expect(await getOrder(cloud, orderId)).toMatchObject({ job: 'failed', payment: 'paid', refundRefused: true });
    expect(counted('RefundRefused') - before).toBe(1);
    // The planned refusal is spent: had anything asked Stripe again (a 5xx and a redelivery, the
    // sweeper), that refund would have gone through.
    await cloud.sweep();
    expect((await stripe().refunds.list({ payment_intent: paymentIntent })).data).toHaveLength(0);
    expect((await timeline(orderId)).filter((e) => e.kind === 'refund_refused')).toHaveLength(1);
    expect(counted('RefundRefused') - before).toBe(1);
    // Nothing was refunded, so nobody says so.
    expect(await mailTo(email)).toHaveLength(0);
  });

  it('a refund Stripe says is made already (charge_already_refunded) counts as done: the order refunded, the buyer told once, the event answered', async () => {
    const email = uniqueEmail('already');
    const orderId = await failedOrder(email);
    const before = counted('RefundRefused');
    await planRefundRefusal('charge_already_refunded');

    const { sessionId } = await pay(orderId, email);

    await expectCompletedEventAnswered(sessionId);
    await waitForOrder(cloud, orderId, (v) => v.payment === 'refunded');
    await cloud.sweep();
    expect(await mailTo(email)).toHaveLength(1);
    expect((await timeline(orderId)).map((e) => e.kind)).not.toContain('refund_refused');
    expect(counted('RefundRefused') - before).toBe(0);
  });

  it('a job failing after its payment was disputed: Stripe itself refuses the refund (charge_disputed); recorded, counted, the job ends "failed"', async () => {
    const email = uniqueEmail('disputed');
    const order = await createOrderOk(cloud, email, 'data.csv', 'x');
    const { paymentIntent } = await pay(order.orderId, email);
    await waitForOrder(cloud, order.orderId, (v) => v.payment === 'paid');
    const charge = String((await stripe().paymentIntents.retrieve(paymentIntent)).latest_charge);
    const disputesBefore = counted('Disputes');
    const refusedBefore = counted('RefundRefused');
    const res = await fetch(`${cloud.urls.stripe}/_test/charges/${charge}/dispute`, { method: 'POST' });
    expect(res.ok).toBe(true);
    await eventually(async () => expect(counted('Disputes') - disputesBefore).toBe(1));

    await uploadFile(order, 'data.csv', '');

    await waitForOrder(cloud, order.orderId, (v) => v.job === 'failed');
    await eventually(async () => expect((await timeline(order.orderId)).map((e) => e.kind)).toContain('refund_refused'));
    expect((await timeline(order.orderId)).find((e) => e.kind === 'refund_refused')?.detail).toMatchObject({ code: 'charge_disputed' });
    // The page shows the dispute (the bank settles it); the view says both.
    expect(await getOrder(cloud, order.orderId)).toMatchObject({ job: 'failed', payment: 'paid', disputed: true, refundRefused: true });
    expect((await stripe().refunds.list({ payment_intent: paymentIntent })).data).toHaveLength(0);
    expect(counted('RefundRefused') - refusedBefore).toBe(1);
    await cloud.sweep();
    expect(counted('RefundRefused') - refusedBefore).toBe(1);
  });

  it('a refund that fails only for now (Stripe answers 500) is not settled as refused: asked again until it goes through, once', async () => {
    const email = uniqueEmail('transient');
    const orderId = await failedOrder(email);
    const res = await fetch(`${cloud.urls.stripe}/_test/faults`, { method: 'POST', body: new URLSearchParams({ path: '/v1/refunds', status: '500', times: '3' }) });
    expect(res.status).toBe(200);

    const { sessionId, paymentIntent } = await pay(orderId, email);

    await expectCompletedEventAnswered(sessionId);
    await waitForOrder(cloud, orderId, (v) => v.payment === 'refunded');
    expect((await stripe().refunds.list({ payment_intent: paymentIntent })).data).toHaveLength(1);
    expect((await timeline(orderId)).map((e) => e.kind)).not.toContain('refund_refused');
    expect(await getOrder(cloud, orderId)).not.toHaveProperty('refundRefused');
  });
});
