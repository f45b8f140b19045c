/**
 * Issue 12's "done when" items that need no restart, against the local cloud: 20 parallel
 * downloads of a link with N uses left, the return page's reconcile when every webhook delivery is
 * dropped, and the delivery claim's boundary as core and the DynamoDB store see it. (The graceful
 * stop: graceful-stop.test.ts; kills and restarts: crash.test.ts.)
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsClientSettings } from '../../lambdas/adapters/clients';
import { documentClient, DynamoOrderStore } from '../../lambdas/adapters/dynamo-order-store';
import type { OrderId } from '../../lambdas/core/ids';
import { DELIVERY_CLAIM_TTL_MS, deliveryDue, type Order } from '../../lambdas/core/order';
import { LOCAL_TABLE } from '../../local/runtime-config';
import { downloadLinkIn, getOrder, payOnStripePage, readyOrder, startTestCloud, waitForEmails, waitForOrder, type TestCloud } from './local-cloud';

let cloud: TestCloud;

beforeAll(async () => {
  cloud = await startTestCloud();
});

afterAll(async () => {
  await cloud?.stop();
});

const CARD = '4242 4242 4242 4242';
let n = 0;
const uniqueEmail = (tag: string) => `${tag}-${Date.now()}-${n++}@example.com`;

async function paidAndDelivered(email: string): Promise<{ orderId: string; link: string }> {
  const { orderId, payUrl } = await readyOrder(cloud, email);
  expect((await payOnStripePage(payUrl, CARD, email)).status).toBe(303);
  await waitForOrder(cloud, orderId, (v) => v.delivered);
  const [mail] = await waitForEmails(cloud, email, 1);
  const link = mail ? downloadLinkIn(mail) : undefined;
  if (!link) throw new Error('no download link in the email');
  return { orderId, link };
}

describe('parallel downloads', () => {
  it('20 parallel downloads of a link with 3 uses left: exactly 3 succeed, the rest get 410 link_used_up', async () => {
    const { link } = await paidAndDelivered(uniqueEmail('parallel'));
    const limit = cloud.config.downloadLimit;
    const used = limit - 3;
    for (let i = 0; i < used; i++) expect((await fetch(link, { redirect: 'manual' })).status).toBe(302);
    const answers = await Promise.all(Array.from({ length: 20 }, () => fetch(link, { redirect: 'manual' })));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 302)).toHaveLength(3);
    expect(statuses.filter((s) => s === 410)).toHaveLength(17);
    const codes = await Promise.all(answers.filter((r) => r.status === 410).map(async (r) => ((await r.json()) as { error: { code: string } }).error.code));
    expect(new Set(codes)).toEqual(new Set(['link_used_up']));
    expect((await fetch(link, { redirect: 'manual' })).status).toBe(410);
  });
});

describe('the return page reconciles the session', () => {
  it('a paid customer whose every webhook delivery is dropped sees "paid" on return, and gets one link', async () => {
    const email = uniqueEmail('dropped');
    const { orderId, payUrl } = await readyOrder(cloud, email);
    // More drops than the stand-in's attempts per event: the webhook never gets through.
    await cloud.faults.set({ dropWebhooks: 1000 });
    try {
      const paid = await payOnStripePage(payUrl, CARD, email);
      expect(paid.status).toBe(303);
      const sessionId = new URL(paid.headers.get('location') as string).searchParams.get('session_id') as string;
      expect((await getOrder(cloud, orderId)).payment).toBe('unpaid');
      // What the order page does when Stripe sends the buyer back.
      const back = await cloud.api(`/api/checkout-sessions/${sessionId}`);
      expect(back.status).toBe(200);
      expect(((await back.json()) as { orderId: string }).orderId).toBe(orderId);
      const view = await getOrder(cloud, orderId);
      expect(view.payment).toBe('paid');
      expect(view.payUrl).toBeUndefined();
      expect(view.delivered).toBe(true);
      expect(cloud.faults.state().dropWebhooks).toBeLessThan(1000);
    } finally {
      cloud.faults.clear();
    }
    const mails = await waitForEmails(cloud, email, 2, 500);
    expect(mails).toHaveLength(1);
    expect(mails[0] && downloadLinkIn(mails[0])).toBeDefined();
  });
});

describe('the sweeper after a delayed payment failed', () => {
  it('leaves the order unpaid with its pay link (the session is still "complete, unpaid" at Stripe)', async () => {
    const email = uniqueEmail('iban-failed-swept');
    const { orderId, payUrl } = await readyOrder(cloud, email);
    const paid = await payOnStripePage(payUrl, 'DE62 3704 0044 0532 0130 01', email);
    const sessionId = new URL(paid.headers.get('location') as string).searchParams.get('session_id') as string;
    await waitForOrder(cloud, orderId, (v) => v.payment === 'pending');
    await fetch(`${cloud.urls.stripe}/_test/sessions/${sessionId}/settle`, { method: 'POST', body: new URLSearchParams({ outcome: 'failed' }) });
    await waitForOrder(cloud, orderId, (v) => v.payment === 'unpaid');
    await cloud.sweep();
    // And the return page, which reconciles the same session.
    expect((await cloud.api(`/api/checkout-sessions/${sessionId}`)).status).toBe(200);
    const view = await getOrder(cloud, orderId);
    expect(view.payment).toBe('unpaid');
    expect(view.payUrl).toBeDefined();
  });
});

describe('the delivery claim boundary', () => {
  it('core (deliveryDue) and the DynamoDB store (claimDelivery) agree to the millisecond', async () => {
    const store = new DynamoOrderStore(documentClient(new DynamoDBClient(awsClientSettings('us-east-1', cloud.urls.dynamodb))), LOCAL_TABLE);
    const claimedAt = 1_700_000_000_000;
    for (const age of [DELIVERY_CLAIM_TTL_MS - 1, DELIVERY_CLAIM_TTL_MS, DELIVERY_CLAIM_TTL_MS + 1]) {
      const orderId = randomUUID() as OrderId;
      const order: Order = {
        orderId,
        email: 'boundary@example.com',
        fileName: 'a.csv',
        size: 1,
        lang: 'en',
        createdAt: new Date().toISOString(),
        job: 'done',
        payment: 'paid',
        expiresAt: Math.floor(Date.now() / 1000) + 3600,
      };
      await store.createOrder(order);
      expect(await store.claimDelivery(orderId, 'first', claimedAt, claimedAt - DELIVERY_CLAIM_TTL_MS)).toBe(true);
      const stored = (await store.getOrder(orderId)) as Order;
      const now = claimedAt + age;
      const due = deliveryDue(stored, now);
      expect(await store.claimDelivery(orderId, 'second', now, now - DELIVERY_CLAIM_TTL_MS), `claim ${age} ms old`).toBe(due);
      expect(due, `claim ${age} ms old`).toBe(age > DELIVERY_CLAIM_TTL_MS);
    }
  });
});
