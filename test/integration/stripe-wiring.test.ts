/** The deploy-time Stripe wiring against the stand-in: idempotent, and a new price moves the link. */
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OLD_ENDPOINT_GRACE_SECONDS, webhookSecretAfter, wireStripe, type WiringResult } from '../../lambdas/adapters/stripe-wiring';
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

it('creates the webhook endpoint in the API version the stripe package pins', async () => {
  const wired = await wireStripe(stripe, { ...input, tag: 'Pinned' });
  expect((await stripe.webhookEndpoints.retrieve(wired.webhookEndpointId)).api_version).toBe(Stripe.API_VERSION);
  expect(wired).toMatchObject({ oldEndpointIds: [], deletedOldEndpointIds: [] });
});

describe('an endpoint in another API version', () => {
  const tag = 'Upgrade';
  const tagged = async (t: string) => (await stripe.webhookEndpoints.list({ limit: 100 })).data.filter((e) => e.metadata?.uplock === t);

  it.each([
    ['2023-08-16', '2023-08-16' as Stripe.WebhookEndpointCreateParams.ApiVersion],
    ["the account's default (null, what earlier versions created)", undefined],
  ])('(%s) is replaced by a new one, kept through the grace period, then deleted', async (_name, apiVersion) => {
    const old = await stripe.webhookEndpoints.create({
      url: 'https://shop.example.com/api/stripe/webhook',
      enabled_events: ['checkout.session.completed'],
      metadata: { uplock: `${tag}-${apiVersion ?? 'null'}` },
      ...(apiVersion ? { api_version: apiVersion } : {}),
    });
    const run = (nowSeconds?: number) => wireStripe(stripe, { ...input, tag: `${tag}-${apiVersion ?? 'null'}`, ...(nowSeconds ? { nowSeconds } : {}) });

    const first = await run();
    expect(first.webhookEndpointId).not.toBe(old.id);
    expect(first.webhookSecret).toMatch(/^whsec_/);
    expect(first.oldEndpointIds).toEqual([old.id]);
    const created = await stripe.webhookEndpoints.retrieve(first.webhookEndpointId);
    expect(created.api_version).toBe(Stripe.API_VERSION);
    // The old endpoint still delivers: the webhook must keep its secret beside the new one.
    expect(webhookSecretAfter('whsec_old', first)).toBe(`${first.webhookSecret},whsec_old`);

    const during = await run(created.created + OLD_ENDPOINT_GRACE_SECONDS - 60);
    expect(during).toMatchObject({ webhookEndpointId: first.webhookEndpointId, oldEndpointIds: [old.id], deletedOldEndpointIds: [] });
    expect(during.webhookSecret).toBeUndefined();
    expect(during.changes).toEqual([]);
    expect(webhookSecretAfter(`${first.webhookSecret},whsec_old`, during)).toBeUndefined();

    const after = await run(created.created + OLD_ENDPOINT_GRACE_SECONDS + 1);
    expect(after).toMatchObject({ webhookEndpointId: first.webhookEndpointId, oldEndpointIds: [], deletedOldEndpointIds: [old.id] });
    await expect(stripe.webhookEndpoints.retrieve(old.id)).rejects.toMatchObject({ code: 'resource_missing' });
    // Only the new endpoint's secret is left.
    expect(webhookSecretAfter(`${first.webhookSecret},whsec_old`, after)).toBe(first.webhookSecret);
    expect((await tagged(`${tag}-${apiVersion ?? 'null'}`)).map((e) => e.id)).toEqual([first.webhookEndpointId]);
  });

  it('goes at once when a new secret is asked for (the stored one is lost)', async () => {
    const old = await stripe.webhookEndpoints.create({
      url: 'https://shop.example.com/api/stripe/webhook',
      enabled_events: ['checkout.session.completed'],
      metadata: { uplock: 'Lost' },
      api_version: '2023-08-16' as Stripe.WebhookEndpointCreateParams.ApiVersion,
    });
    const wired = await wireStripe(stripe, { ...input, tag: 'Lost', rotateWebhookSecret: true });
    expect(wired).toMatchObject({ oldEndpointIds: [], deletedOldEndpointIds: [old.id] });
    expect(webhookSecretAfter('REPLACE_ME', wired)).toBe(wired.webhookSecret);
    const left = (await stripe.webhookEndpoints.list({ limit: 100 })).data.filter((e) => e.metadata?.uplock === 'Lost');
    expect(left.map((e) => [e.id, e.api_version])).toEqual([[wired.webhookEndpointId, Stripe.API_VERSION]]);
  });
});

describe('webhookSecretAfter', () => {
  const result = (r: Partial<WiringResult>): WiringResult => ({
    productId: 'prod_1',
    priceId: 'price_1',
    paymentLinkId: '',
    paymentLinkUrl: '',
    webhookEndpointId: 'we_1',
    oldEndpointIds: [],
    deletedOldEndpointIds: [],
    changes: [],
    ...r,
  });

  it.each([
    ['a first endpoint: its secret alone', undefined, result({ webhookSecret: 'whsec_new' }), 'whsec_new'],
    ['a replaced endpoint, nothing old left: the new secret alone', 'whsec_old', result({ webhookSecret: 'whsec_new' }), 'whsec_new'],
    ['a new endpoint beside an old one: both, new first', 'whsec_old', result({ webhookSecret: 'whsec_new', oldEndpointIds: ['we_0'] }), 'whsec_new,whsec_old'],
    ['nothing changed: leave the secret alone', 'whsec_new,whsec_old', result({ oldEndpointIds: ['we_0'] }), undefined],
    ['the old endpoint deleted: the first secret alone', 'whsec_new, whsec_old', result({ deletedOldEndpointIds: ['we_0'] }), 'whsec_new'],
    ['a placeholder is not kept beside a new secret', 'REPLACE_ME', result({ webhookSecret: 'whsec_new', oldEndpointIds: ['we_0'] }), 'whsec_new'],
  ])('%s', (_name, current, wired, expected) => {
    expect(webhookSecretAfter(current, wired)).toBe(expected);
  });
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
