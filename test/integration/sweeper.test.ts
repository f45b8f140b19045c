/**
 * The sweeper against the local cloud: refunds and disputes whose webhook never arrived are
 * applied by the next sweep (listed from the stand-in's events, run through the webhook's own
 * idempotent path), settled sessions are skipped, and two sweeps started at once run one at a
 * time (the lease on the real table).
 */
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaContext } from '../../local/lambda-context';
import type { SweepReport } from '../../lambdas/core/sweep';
import { downloadLinkIn, getOrder, payOnStripePage, readyOrder, standInStripe, startTestCloud, waitForEmails, waitForOrder, type TestCloud } from './local-cloud';

let cloud: TestCloud;
let stripe: Stripe;

beforeAll(async () => {
  cloud = await startTestCloud();
  stripe = standInStripe(cloud);
});

afterAll(async () => {
  await cloud?.stop();
});

let n = 0;
const uniqueEmail = (tag: string) => `${tag}-${Date.now()}-${n++}@example.com`;

/** An order paid and delivered the ordinary way; returns its download link and payment intent. */
async function deliveredOrder(tag: string): Promise<{ orderId: string; link: string; paymentIntent: string }> {
  const email = uniqueEmail(tag);
  const { orderId, payUrl } = await readyOrder(cloud, email);
  const res = await payOnStripePage(payUrl, '4242 4242 4242 4242', email);
  expect(res.status).toBe(303);
  const sessionId = new URL(res.headers.get('location') as string).searchParams.get('session_id') as string;
  await waitForOrder(cloud, orderId, (v) => v.delivered);
  const link = downloadLinkIn((await waitForEmails(cloud, email, 1))[0]!) as string;
  const session = await stripe.checkout.sessions.retrieve(sessionId);
  return { orderId, link, paymentIntent: session.payment_intent as string };
}

/** Stripe cannot reach the webhook while `fn` runs. */
async function withWebhookDown<T>(fn: () => Promise<T>): Promise<T> {
  const endpoints = await stripe.webhookEndpoints.list();
  for (const e of endpoints.data) await stripe.webhookEndpoints.update(e.id, { disabled: true });
  try {
    return await fn();
  } finally {
    for (const e of endpoints.data) await stripe.webhookEndpoints.update(e.id, { disabled: false });
  }
}

const status = async (link: string) => (await fetch(link, { redirect: 'manual' })).status;

async function sweepNow(): Promise<SweepReport> {
  const result = (await cloud.sweep()) as SweepReport | { skipped: string };
  if ('skipped' in result) throw new Error('sweep skipped');
  return result;
}

describe('the sweeper recovers what the webhook never saw', () => {
  it('a refund: the next sweep revokes the link', async () => {
    const { orderId, link, paymentIntent } = await deliveredOrder('lost-refund');
    await withWebhookDown(() => stripe.refunds.create({ payment_intent: paymentIntent }));
    expect(await getOrder(cloud, orderId)).toMatchObject({ payment: 'paid' });
    expect(await status(link)).toBe(302);

    const report = await sweepNow();

    expect(report.events.outcomes.revoked).toBeGreaterThanOrEqual(1);
    expect(await getOrder(cloud, orderId)).toMatchObject({ payment: 'refunded' });
    expect(await status(link)).toBe(410);
  });

  it('a dispute: the next sweep revokes the link', async () => {
    const { orderId, link, paymentIntent } = await deliveredOrder('lost-dispute');
    const charges = await stripe.charges.list({ payment_intent: paymentIntent });
    await withWebhookDown(async () => {
      const res = await fetch(`${cloud.urls.stripe}/_test/charges/${charges.data[0]!.id}/dispute`, { method: 'POST' });
      expect(res.status).toBe(200);
    });
    expect(await status(link)).toBe(302);

    await sweepNow();

    expect(await status(link)).toBe(410);
    expect(await getOrder(cloud, orderId)).toMatchObject({ payment: 'paid', delivered: true });
  });

  it('a second sweep finds every session settled and handles no event again', async () => {
    await deliveredOrder('settled');
    await sweepNow();

    const again = await sweepNow();

    expect(again.sessions).toBeGreaterThan(0);
    expect(again.outcomes).toEqual({ settled: again.sessions });
    // Events listed again (the cursor's overlap) return their stored outcome: nothing is revoked twice.
    expect(Object.keys(again.events.outcomes).every((k) => k === 'revoked' || k === 'no_change')).toBe(true);
  });
});

describe('one sweep at a time', () => {
  it('a sweep started while another runs does nothing', async () => {
    const { handler } = await import('../../lambdas/handlers/sweeper');

    const results = await Promise.all([handler(undefined, lambdaContext('sweeper', 120_000)), handler(undefined, lambdaContext('sweeper', 120_000))]);

    expect(results.filter((r) => 'skipped' in r)).toHaveLength(1);
    expect(results.filter((r) => 'sessions' in r)).toHaveLength(1);
  });
});
