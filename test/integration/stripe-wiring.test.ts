/** The deploy-time Stripe wiring against the stand-in: idempotent, and a new price moves the link. */
import Stripe from 'stripe';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { wireStripe } from '../../lambdas/adapters/stripe-wiring';
import { startStripeStandIn, type StripeStandIn } from '../../local/stripe/server';

let standIn: StripeStandIn;
let stripe: Stripe;
beforeAll(async () => {
  standIn = await startStripeStandIn({ port: 0 });
  stripe = new Stripe('sk_test_wiring', { host: '127.0.0.1', port: standIn.port, protocol: 'http' });
});
afterAll(async () => {
  await standIn?.close();
});

const input = {
  tag: 'UplockTest',
  siteUrl: 'https://shop.example.com',
  product: { name: 'Data profile report', description: 'Every column profiled.' },
  price: { amount: 900, currency: 'usd' },
  rotateWebhookSecret: false,
};

it('creates everything once, then changes nothing on a second run', async () => {
  const first = await wireStripe(stripe, input);
  expect(first.webhookSecret).toMatch(/^whsec_/);
  expect(first.changes).toHaveLength(4);
  const link = await stripe.paymentLinks.retrieve(first.paymentLinkId);
  expect(link.after_completion).toMatchObject({ type: 'redirect', redirect: { url: 'https://shop.example.com/order.html?session_id={CHECKOUT_SESSION_ID}' } });
  const endpoint = await stripe.webhookEndpoints.retrieve(first.webhookEndpointId);
  expect(endpoint.url).toBe('https://shop.example.com/api/stripe/webhook');

  const second = await wireStripe(stripe, input);
  expect(second.changes).toEqual([]);
  expect(second).toMatchObject({ paymentLinkId: first.paymentLinkId, priceId: first.priceId, webhookEndpointId: first.webhookEndpointId });
  expect(second.webhookSecret).toBeUndefined();
});

it('a new price creates a new price and link and deactivates the old link', async () => {
  const before = await wireStripe(stripe, input);
  const after = await wireStripe(stripe, { ...input, price: { amount: 1200, currency: 'usd' } });
  expect(after.priceId).not.toBe(before.priceId);
  expect(after.paymentLinkId).not.toBe(before.paymentLinkId);
  expect((await stripe.paymentLinks.retrieve(before.paymentLinkId)).active).toBe(false);
  expect((await stripe.prices.retrieve(after.priceId)).unit_amount).toBe(1200);
  expect(after.webhookEndpointId).toBe(before.webhookEndpointId);
});

it('a new site URL updates the link redirect and the endpoint in place', async () => {
  const moved = await wireStripe(stripe, { ...input, price: { amount: 1200, currency: 'usd' }, siteUrl: 'https://new.example.com' });
  expect(moved.changes.join('\n')).toMatch(/pointed payment link/);
  expect((await stripe.webhookEndpoints.retrieve(moved.webhookEndpointId)).url).toBe('https://new.example.com/api/stripe/webhook');
});

it('rotating replaces the endpoint so a new signing secret can be stored', async () => {
  const before = await wireStripe(stripe, input);
  const rotated = await wireStripe(stripe, { ...input, rotateWebhookSecret: true });
  expect(rotated.webhookSecret).toMatch(/^whsec_/);
  expect(rotated.webhookEndpointId).not.toBe(before.webhookEndpointId);
  const remaining = (await stripe.webhookEndpoints.list()).data.filter((e) => e.metadata?.uplock === 'UplockTest');
  expect(remaining).toHaveLength(1);
});

it('leaves Payment Links alone when the operator brings their own, but keeps price and webhook', async () => {
  const own = await wireStripe(stripe, { ...input, tag: 'OwnLink', paymentLink: false });
  expect(own.paymentLinkId).toBe('');
  expect(own.priceId).toMatch(/^price_/);
  expect(own.webhookSecret).toMatch(/^whsec_/);
  const links = (await stripe.paymentLinks.list({ limit: 100 })).data.filter((l) => l.metadata?.uplock === 'OwnLink');
  expect(links).toHaveLength(0);
});

it.each([
  ['sk_test_abc', true],
  ['rk_live_abc', true],
  ['REPLACE_ME', false],
  ['', false],
  ['pk_test_abc', false],
])('isStripeKey(%s) = %s', async (value, ok) => {
  const { isStripeKey } = await import('../../lambdas/adapters/stripe-wiring');
  expect(isStripeKey(value)).toBe(ok);
});
