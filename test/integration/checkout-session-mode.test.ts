/** paymentMode 'checkout-session': one server-side Checkout Session per order, reused while open. */
import Stripe from 'stripe';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createOrderOk, getOrder, payOnStripePage, sampleCsv, startTestCloud, uploadFile, waitForEmails, waitForOrder, type TestCloud } from './local-cloud';

let cloud: TestCloud;
beforeAll(async () => {
  cloud = await startTestCloud({ stripe: { paymentMode: 'checkout-session' } });
});
afterAll(async () => {
  await cloud?.stop();
});

async function readyOrder(email: string) {
  const csv = sampleCsv(3);
  const order = await createOrderOk(cloud, email, 'data.csv', csv);
  await uploadFile(order, 'data.csv', csv);
  return waitForOrder(cloud, order.orderId, (v) => v.job === 'done');
}

it('opens one session per order at the configured price, reuses it, and delivers after payment', async () => {
  const view = await readyOrder('mode@example.com');
  const again = await getOrder(cloud, view.orderId);
  expect(view.payUrl).toBeDefined();
  expect(again.payUrl).toBe(view.payUrl);

  const url = new URL(cloud.urls.stripe);
  const stripe = new Stripe('sk_test_uplock_local', { host: url.hostname, port: url.port, protocol: 'http' });
  const sessions = await stripe.checkout.sessions.list({ limit: 100 });
  const mine = sessions.data.filter((s) => s.client_reference_id === view.orderId);
  expect(mine).toHaveLength(1);
  expect(mine[0]).toMatchObject({ amount_total: cloud.config.price.amount, currency: cloud.config.price.currency, status: 'open', payment_link: null });

  const res = await payOnStripePage(view.payUrl as string, '4242424242424242');
  expect(res.status).toBe(303);
  await waitForOrder(cloud, view.orderId, (v) => v.delivered);
  expect(await waitForEmails(cloud, 'mode@example.com', 1)).toHaveLength(1);
});

it('does not let one order’s session unlock another order', async () => {
  const a = await readyOrder('a-mode@example.com');
  const b = await readyOrder('b-mode@example.com');
  const url = new URL(cloud.urls.stripe);
  const stripe = new Stripe('sk_test_uplock_local', { host: url.hostname, port: url.port, protocol: 'http' });
  const res = await payOnStripePage(a.payUrl as string, '4242424242424242');
  const sessionId = new URL(res.headers.get('location') as string).searchParams.get('session_id') as string;
  await waitForOrder(cloud, a.orderId, (v) => v.delivered);
  const session = await stripe.checkout.sessions.retrieve(sessionId);
  // Replay A's paid session as if it were for B.
  const verifier = new Stripe('sk_test_unused');
  const body = JSON.stringify({ id: `evt_test_swap_${Date.now()}`, object: 'event', type: 'checkout.session.completed', data: { object: { ...session, client_reference_id: b.orderId } } });
  const sig = verifier.webhooks.generateTestHeaderString({ payload: body, secret: cloud.webhookSecret });
  const hook = await cloud.api('/api/stripe/webhook', { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': sig }, body });
  expect(hook.status).toBe(200);
  expect(await getOrder(cloud, b.orderId)).toMatchObject({ payment: 'unpaid', delivered: false });
});
