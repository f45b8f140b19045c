/**
 * DynamoOrderStore against dynalite: every OrderStore method through the real DynamoDB document
 * client, with its failure mapping (a conditional write that loses is `false`, throttling is
 * retried by the SDK's own retry strategy, a call that keeps failing surfaces the SDK's error).
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsClientSettings } from '../../../lambdas/adapters/clients';
import { documentClient, DynamoOrderStore, isConditionFailure } from '../../../lambdas/adapters/dynamo-order-store';
import type { OrderId } from '../../../lambdas/core/ids';
import type { Order } from '../../../lambdas/core/order';
import type { TokenRecord } from '../../../lambdas/ports/order-store';
import { describeTimelineContract } from '../../contracts/order-store-timeline';
import { FAULTS, REGION, startFaultProxy, startLocalServers, TABLE, type FaultProxy, type LocalServers } from './servers';

let servers: LocalServers;
let proxy: FaultProxy;
let store: DynamoOrderStore;
let raw: DynamoDBClient;

beforeAll(async () => {
  servers = await startLocalServers();
  proxy = await startFaultProxy(servers.dynamodb);
  // Through the proxy, so any test can make the next calls fail; it passes everything else on.
  store = new DynamoOrderStore(documentClient(new DynamoDBClient(awsClientSettings(REGION, proxy.url))), TABLE);
  raw = new DynamoDBClient(awsClientSettings(REGION, servers.dynamodb));
});

afterAll(async () => {
  raw?.destroy();
  await proxy?.stop();
  await servers?.stop();
});

const newId = () => randomUUID() as OrderId;
const nowSeconds = () => Math.floor(Date.now() / 1000);

function anOrder(overrides: Partial<Order> = {}): Order {
  return {
    orderId: newId(),
    email: `buyer-${randomUUID()}@example.com`,
    fileName: 'Daten ü.csv',
    size: 1234,
    lang: 'en',
    createdAt: new Date().toISOString(),
    job: 'awaiting_upload',
    payment: 'unpaid',
    expiresAt: nowSeconds() + 3600,
    ...overrides,
  };
}

async function storedOrder(overrides: Partial<Order> = {}): Promise<Order> {
  const order = anOrder(overrides);
  await store.createOrder(order);
  return order;
}

const aToken = (orderId: OrderId, overrides: Partial<TokenRecord> = {}): TokenRecord => ({
  hash: randomUUID().replace(/-/g, ''),
  orderId,
  downloadsLeft: 2,
  expiresAt: nowSeconds() + 3600,
  revoked: false,
  ...overrides,
});

/** The raw item, as DynamoDB holds it (to check what the document client wrote). */
const rawItem = async (pk: string) => (await raw.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: pk } }, ConsistentRead: true }))).Item;

describe('orders', () => {
  it('createOrder stores the order and getOrder reads it back, numbers as numbers, absent fields absent', async () => {
    const order = anOrder({ jobError: undefined });

    await store.createOrder(order);

    expect(await store.getOrder(order.orderId)).toEqual(order);
    const item = await rawItem(`ORDER#${order.orderId}`);
    expect(item?.size).toEqual({ N: '1234' });
    expect(item && 'jobError' in item).toBe(false);
  });

  it('getOrder answers undefined for an unknown order', async () => {
    expect(await store.getOrder(newId())).toBeUndefined();
  });

  it('createOrder refuses a second order with the same id, with the SDK\'s condition error', async () => {
    const order = await storedOrder();

    const error = await store.createOrder({ ...order, email: 'other@example.com' }).catch((e: unknown) => e);

    expect(isConditionFailure(error)).toBe(true);
    expect((await store.getOrder(order.orderId))?.email).toBe(order.email);
  });
});

/** A fresh claim of five minutes, three attempts (core/job.ts decides these in the pipeline). */
const claim = () => ({ now: Date.now(), expiresAt: Date.now() + 300_000, maxAttempts: 3 });

describe('job transitions', () => {
  it('startJob moves awaiting_upload → processing once; a replay before the claim expires loses', async () => {
    const order = await storedOrder();

    expect(await store.startJob(order.orderId, claim())).toEqual({ attempt: 1 });
    expect(await store.startJob(order.orderId, claim())).toBeUndefined();

    expect(await store.getOrder(order.orderId)).toMatchObject({ job: 'processing', jobStartedAt: expect.any(String), jobClaim: { attempts: 1 } });
  });

  it('an expired claim is taken over with the next attempt, until the last one', async () => {
    const order = await storedOrder();
    const now = Date.now();
    const expired = { now, expiresAt: now - 1, maxAttempts: 2 };

    expect(await store.startJob(order.orderId, expired)).toEqual({ attempt: 1 });
    expect(await store.startJob(order.orderId, { ...expired, now: now + 1 })).toEqual({ attempt: 2 });
    expect(await store.startJob(order.orderId, { ...expired, now: now + 2 })).toBeUndefined();
    // Only the attempt holding the claim may finish the job.
    expect(await store.finishJob(order.orderId, 'report.html', 1)).toBe(false);
    expect(await store.finishJob(order.orderId, 'report.html', 2)).toBe(true);
  });

  it('setJobProgress records progress for the claim holder only', async () => {
    const order = await storedOrder();
    await store.startJob(order.orderId, claim());

    await store.setJobProgress(order.orderId, 2, 10);
    expect(await store.getOrder(order.orderId)).not.toHaveProperty('jobProgress');
    await store.setJobProgress(order.orderId, 1, 40);
    expect(await store.getOrder(order.orderId)).toMatchObject({ jobProgress: 40 });
  });

  it('expiredJobs finds processing jobs whose claim has expired, up to the limit', async () => {
    const now = Date.now();
    const stale = await storedOrder();
    const live = await storedOrder();
    await store.startJob(stale.orderId, { now: now - 10_000, expiresAt: now - 5_000, maxAttempts: 3 });
    await store.startJob(live.orderId, { now, expiresAt: now + 300_000, maxAttempts: 3 });

    const found = (await store.expiredJobs(now, 1000)).map((o) => o.orderId);

    expect(found).toContain(stale.orderId);
    expect(found).not.toContain(live.orderId);
    expect(await store.expiredJobs(now, 1)).toHaveLength(1);
  });

  it('finishJob moves processing → done with the artifact; not from awaiting_upload', async () => {
    const early = await storedOrder();
    const order = await storedOrder();
    await store.startJob(order.orderId, claim());

    expect(await store.finishJob(early.orderId, 'report.html')).toBe(false);
    expect(await store.finishJob(order.orderId, 'report.html', undefined, ['report.html', 'report.json'])).toBe(true);

    expect(await store.getOrder(order.orderId)).toMatchObject({ job: 'done', primaryArtifact: 'report.html', resultFiles: ['report.html', 'report.json'] });
    expect(await store.getOrder(early.orderId)).toMatchObject({ job: 'awaiting_upload' });
  });

  it('failJob records the error; a done job cannot fail', async () => {
    const order = await storedOrder();
    const done = await storedOrder();
    await store.startJob(done.orderId, claim());
    await store.finishJob(done.orderId, 'report.html');

    expect(await store.failJob(order.orderId, { code: 'bad_input', message: 'not a CSV' })).toBe(true);
    expect(await store.failJob(done.orderId, { code: 'bad_input', message: 'late' })).toBe(false);

    expect(await store.getOrder(order.orderId)).toMatchObject({ job: 'failed', jobError: { code: 'bad_input', message: 'not a CSV' } });
    expect(await store.getOrder(done.orderId)).toMatchObject({ job: 'done' });
  });

  it('a transition on an unknown order loses', async () => {
    expect(await store.startJob(newId(), claim())).toBeUndefined();
  });
});

describe('payment', () => {
  const record = { sessionId: 'cs_test_1', amount: 900, currency: 'usd', paymentIntentId: 'pi_1', payerEmail: 'payer@example.com' };

  it('setPayment moves forward with the record, never back', async () => {
    const order = await storedOrder();

    expect(await store.setPayment(order.orderId, 'paid', record)).toBe(true);
    expect(await store.setPayment(order.orderId, 'pending', record)).toBe(false);
    expect(await store.setPayment(order.orderId, 'refunded')).toBe(true);

    expect(await store.getOrder(order.orderId)).toMatchObject({ payment: 'refunded', ...record, refundedAt: expect.any(String) });
  });

  it('setPayment with onlySession loses for another session', async () => {
    const order = await storedOrder();
    await store.setPayment(order.orderId, 'pending', record);

    expect(await store.setPayment(order.orderId, 'unpaid', undefined, { onlySession: 'cs_test_other' })).toBe(false);
    expect(await store.setPayment(order.orderId, 'unpaid', undefined, { onlySession: 'cs_test_1' })).toBe(true);
  });

  it('linkPaymentIntent remembers the order and reports refunds and disputes noted before it', async () => {
    const order = await storedOrder();
    const pi = `pi_${randomUUID()}`;
    await store.noteEarly(pi, 'refunded');

    expect(await store.linkPaymentIntent(pi, order.orderId)).toEqual({ refunded: true });
    expect(await store.orderIdForPaymentIntent(pi)).toBe(order.orderId);
    expect(await store.linkPaymentIntent(`pi_${randomUUID()}`, order.orderId)).toEqual({});
  });

  it('noteEarly notes a dispute; orderIdForPaymentIntent is undefined until linked', async () => {
    const pi = `pi_${randomUUID()}`;

    await store.noteEarly(pi, 'disputed');

    expect(await store.orderIdForPaymentIntent(pi)).toBeUndefined();
    expect(await store.linkPaymentIntent(pi, newId())).toEqual({ disputed: true });
  });

  it('markDisputed stamps the order once; an unknown order loses', async () => {
    const order = await storedOrder();

    expect(await store.markDisputed(order.orderId)).toBe(true);
    const first = (await store.getOrder(order.orderId))?.disputedAt;
    expect(await store.markDisputed(order.orderId)).toBe(true);

    expect(first).toEqual(expect.any(String));
    expect((await store.getOrder(order.orderId))?.disputedAt).toBe(first);
    expect(await store.markDisputed(newId())).toBe(false);
  });
});

// The timeline's entries (delayed payments, recordOrderEvent), as the in-memory store must do them too.
describeTimelineContract('DynamoOrderStore', () => store);

describe('checkout sessions', () => {
  const session = (id: string) => ({ id, url: `https://checkout.example.com/${id}`, expiresAt: nowSeconds() + 3600 });

  it('setCheckoutSession stores the first session only, then replaces it only when naming it', async () => {
    const order = await storedOrder();

    expect(await store.setCheckoutSession(order.orderId, session('cs_test_a'))).toBe(true);
    expect(await store.setCheckoutSession(order.orderId, session('cs_test_b'))).toBe(false);
    expect(await store.setCheckoutSession(order.orderId, session('cs_test_c'), 'cs_test_b')).toBe(false);
    expect(await store.setCheckoutSession(order.orderId, session('cs_test_d'), 'cs_test_a')).toBe(true);

    expect((await store.getOrder(order.orderId))?.checkoutSession?.id).toBe('cs_test_d');
  });

  it('clearCheckoutSession removes only the named session', async () => {
    const order = await storedOrder();
    await store.setCheckoutSession(order.orderId, session('cs_test_a'));

    await store.clearCheckoutSession(order.orderId, 'cs_test_other');
    expect((await store.getOrder(order.orderId))?.checkoutSession?.id).toBe('cs_test_a');
    await store.clearCheckoutSession(order.orderId, 'cs_test_a');
    expect((await store.getOrder(order.orderId))?.checkoutSession).toBeUndefined();
  });
});

describe('delivery', () => {
  async function deliverableOrder(): Promise<Order> {
    const order = await storedOrder();
    await store.startJob(order.orderId, claim());
    await store.finishJob(order.orderId, 'report.html');
    await store.setPayment(order.orderId, 'paid', { sessionId: 'cs_test_1', amount: 900, currency: 'usd' });
    return order;
  }

  it('claimDelivery lets one claimant in; a stale claim can be taken over', async () => {
    const order = await deliverableOrder();
    const now = Date.now();

    expect(await store.claimDelivery(order.orderId, 'a', now, now - 1000)).toBe(true);
    expect(await store.claimDelivery(order.orderId, 'b', now, now - 1000)).toBe(false);
    expect(await store.claimDelivery(order.orderId, 'c', now + 5000, now + 1)).toBe(true);

    expect((await store.getOrder(order.orderId))?.deliveryClaim).toEqual({ id: 'c', at: now + 5000 });
  });

  it('claimDelivery loses while the job is not done or the order unpaid', async () => {
    const order = await storedOrder();
    expect(await store.claimDelivery(order.orderId, 'a', Date.now(), 0)).toBe(false);
  });

  it('releaseDelivery frees only its own claim', async () => {
    const order = await deliverableOrder();
    await store.claimDelivery(order.orderId, 'a', Date.now(), 0);

    await store.releaseDelivery(order.orderId, 'b');
    expect((await store.getOrder(order.orderId))?.deliveryClaim?.id).toBe('a');
    await store.releaseDelivery(order.orderId, 'a');
    expect((await store.getOrder(order.orderId))?.deliveryClaim).toBeUndefined();
  });

  it('markDelivered needs the claim and happens once, listing the token for revocation', async () => {
    const order = await deliverableOrder();
    await store.claimDelivery(order.orderId, 'a', Date.now(), 0);
    const token = aToken(order.orderId);
    await store.putToken(token);

    expect(await store.markDelivered(order.orderId, 'b', token.hash, new Date().toISOString())).toBe(false);
    expect(await store.markDelivered(order.orderId, 'a', token.hash, new Date().toISOString())).toBe(true);
    expect(await store.markDelivered(order.orderId, 'a', token.hash, new Date().toISOString())).toBe(false);

    expect(await store.getOrder(order.orderId)).toMatchObject({ deliveredAt: expect.any(String) });
    expect(await store.revokeTokens(order.orderId)).toBe(1);
  });
});

describe('download tokens', () => {
  it('putToken keeps an existing token of the same order (a retried delivery) and refuses its hash for another order', async () => {
    const token = aToken(newId(), { downloadsLeft: 2 });
    await store.putToken(token);
    await store.consumeToken(token.hash, nowSeconds());

    // The conditional put loses; the earlier item, with its count, stays.
    await expect(store.putToken(token)).resolves.toBeUndefined();
    expect(await store.consumeToken(token.hash, nowSeconds())).toMatchObject({ ok: true, token: { downloadsLeft: 0 } });
    await expect(store.putToken({ ...token, orderId: newId() })).rejects.toThrow(/belongs to another order/);
  });

  it('consumeToken takes one download at a time until none are left', async () => {
    const token = aToken(newId(), { downloadsLeft: 2 });
    await store.putToken(token);
    const now = nowSeconds();

    expect(await store.consumeToken(token.hash, now)).toEqual({ ok: true, token: { ...token, downloadsLeft: 1 } });
    expect(await store.consumeToken(token.hash, now)).toEqual({ ok: true, token: { ...token, downloadsLeft: 0 } });
    expect(await store.consumeToken(token.hash, now)).toEqual({ ok: false, token: { ...token, downloadsLeft: 0 } });
  });

  it('consumeToken refuses an expired or unknown token', async () => {
    const token = aToken(newId(), { expiresAt: nowSeconds() - 1 });
    await store.putToken(token);

    expect(await store.consumeToken(token.hash, nowSeconds())).toEqual({ ok: false, token });
    expect(await store.consumeToken('no-such-hash', nowSeconds())).toEqual({ ok: false });
  });

  it('attachToken lists the token on the order; revokeTokens revokes every listed one', async () => {
    const order = await storedOrder();
    const first = aToken(order.orderId);
    const second = aToken(order.orderId);
    await store.attachToken(first);
    await store.attachToken(second);

    expect(await store.revokeTokens(order.orderId)).toBe(2);

    expect(await store.consumeToken(first.hash, nowSeconds())).toEqual({ ok: false, token: { ...first, revoked: true } });
    expect(await store.consumeToken(second.hash, nowSeconds())).toMatchObject({ ok: false, token: { revoked: true } });
  });

  it('attachToken on an unknown order fails with the condition error', async () => {
    const error = await store.attachToken(aToken(newId())).catch((e: unknown) => e);
    expect(isConditionFailure(error)).toBe(true);
  });

  it('revokeTokens on an order without tokens revokes none', async () => {
    const order = await storedOrder();
    expect(await store.revokeTokens(order.orderId)).toBe(0);
  });
});

describe('lookups, limits, events', () => {
  it('ordersByEmail finds an address\'s orders newest first, up to the limit', async () => {
    const email = `lookup-${randomUUID()}@example.com`;
    const old = await storedOrder({ email, createdAt: '2026-01-01T00:00:00.000Z' });
    const recent = await storedOrder({ email, createdAt: '2026-02-01T00:00:00.000Z' });
    await storedOrder({ email: `other-${randomUUID()}@example.com` });

    expect((await store.ordersByEmail(email, 10)).map((o) => o.orderId)).toEqual([recent.orderId, old.orderId]);
    expect((await store.ordersByEmail(email, 1)).map((o) => o.orderId)).toEqual([recent.orderId]);
    expect(await store.ordersByEmail(`nobody-${randomUUID()}@example.com`, 10)).toEqual([]);
  });

  it('hitRateLimit counts hits in the window and refuses past the limit', async () => {
    const key = `ip-${randomUUID()}`;

    const hits = [];
    for (let i = 0; i < 4; i++) hits.push(await store.hitRateLimit(key, 3, 3600));

    expect(hits).toEqual([true, true, true, false]);
  });

  it('rememberEvent is true the first time only; forgetEvent lets it be handled again', async () => {
    const eventId = `evt_${randomUUID()}`;

    expect(await store.rememberEvent(eventId, 60)).toBe(true);
    expect(await store.rememberEvent(eventId, 60)).toBe(false);
    await store.forgetEvent(eventId);
    expect(await store.rememberEvent(eventId, 60)).toBe(true);
  });
});

describe('failures the SDK handles', () => {
  it('retries a throttled call with its own retry strategy and then succeeds', async () => {
    const order = anOrder();
    const before = proxy.requests;
    proxy.fail(1, FAULTS.dynamoThrottled);

    await store.createOrder(order);

    expect(proxy.requests - before).toBe(2);
    expect(await store.getOrder(order.orderId)).toEqual(order);
  });

  it('gives up after its attempts and surfaces the throttling error, not a lost condition', async () => {
    const order = await storedOrder();
    const before = proxy.requests;
    proxy.fail(10, FAULTS.dynamoThrottled);

    const error = await store.startJob(order.orderId, claim()).catch((e: unknown) => e);
    const seen = proxy.requests - before;
    proxy.fail(0, FAULTS.dynamoThrottled);

    // The client's configured attempts (DynamoDB's default), each one a request the proxy answered.
    expect(seen).toBeGreaterThan(1);
    expect(error).toMatchObject({ name: 'ThrottlingException', $metadata: { attempts: seen } });
    expect(await store.getOrder(order.orderId)).toMatchObject({ job: 'awaiting_upload' });
  });
});
