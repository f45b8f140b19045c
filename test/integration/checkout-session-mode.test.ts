/** paymentMode 'checkout-session': one server-side Checkout Session per order, reused while open. */
import Stripe from 'stripe';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { getOrder, payOnStripePage, readyOrder as readyOrderIn, standInStripe, startTestCloud, waitForEmails, waitForOrder, withPrefilledEmail, type TestCloud } from './local-cloud';

let cloud: TestCloud;
beforeAll(async () => {
  cloud = await startTestCloud({ stripe: { paymentMode: 'checkout-session' } });
});
afterAll(async () => {
  await cloud?.stop();
});

const readyOrder = (email: string) => readyOrderIn(cloud, email);

it('opens one session per order at the configured price, reuses it, and delivers after payment', async () => {
  const view = await readyOrder('mode@example.com');
  const again = await getOrder(cloud, view.orderId);
  expect(view.payUrl).toBeDefined();
  // The same session again (readyOrder added the address the page would prefill).
  expect(withPrefilledEmail(again.payUrl as string, 'mode@example.com')).toBe(view.payUrl);

  const stripe = standInStripe(cloud);
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
  const stripe = standInStripe(cloud);
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
