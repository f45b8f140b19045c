/**
 * DynamoSweepStore against dynalite: the sweeper's lease (conditional put, taken over after its
 * expiry, released only by its owner), its cursor, and the batched reads that let it skip settled
 * sessions (more than one BatchGetItem's 100 keys, keys that do not exist).
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsClientSettings } from '../../../lambdas/adapters/clients';
import { documentClient, DynamoOrderStore } from '../../../lambdas/adapters/dynamo-order-store';
import { DynamoSweepStore } from '../../../lambdas/adapters/dynamo-sweep-store';
import type { OrderId } from '../../../lambdas/core/ids';
import type { Order } from '../../../lambdas/core/order';
import { FAULTS, REGION, startFaultProxy, startLocalServers, TABLE, type FaultProxy, type LocalServers } from './servers';

let servers: LocalServers;
let proxy: FaultProxy;
let sweeps: DynamoSweepStore;
let orders: DynamoOrderStore;

beforeAll(async () => {
  servers = await startLocalServers();
  proxy = await startFaultProxy(servers.dynamodb);
  const doc = documentClient(new DynamoDBClient(awsClientSettings(REGION, proxy.url)));
  sweeps = new DynamoSweepStore(doc, TABLE);
  orders = new DynamoOrderStore(doc, TABLE);
});

afterAll(async () => {
  await proxy?.stop();
  await servers?.stop();
});

const anOrder = (overrides: Partial<Order> = {}): Order => ({
  orderId: randomUUID() as OrderId,
  email: 'buyer@example.com',
  fileName: 'a.csv',
  size: 10,
  lang: 'en',
  createdAt: new Date().toISOString(),
  job: 'done',
  payment: 'paid',
  sessionId: 'cs_test_1',
  deliveredAt: new Date().toISOString(),
  expiresAt: Math.floor(Date.now() / 1000) + 3600,
  ...overrides,
});

describe('the sweep lease', () => {
  it('is taken by one owner at a time, released only by its owner, and taken over once expired', async () => {
    const now = Date.now();

    expect(await sweeps.takeSweepLease('a', now, now + 60_000)).toBe(true);
    expect(await sweeps.takeSweepLease('b', now + 1000, now + 61_000)).toBe(false);
    expect(await sweeps.sweepLease()).toEqual({ owner: 'a', until: now + 60_000 });
    await sweeps.releaseSweepLease('b');
    expect((await sweeps.sweepLease())?.owner).toBe('a');
    // a was killed: after its expiry, c takes it over; a's late release leaves c's lease alone.
    expect(await sweeps.takeSweepLease('c', now + 60_001, now + 120_000)).toBe(true);
    await sweeps.releaseSweepLease('a');
    expect((await sweeps.sweepLease())?.owner).toBe('c');
    await sweeps.releaseSweepLease('c');
    expect(await sweeps.sweepLease()).toBeUndefined();
  });
});

describe('the sweep cursor', () => {
  it('keeps what it was given, and a cursor without a resume point drops the old one', async () => {
    await sweeps.saveSweepCursor({ eventsSince: 1_700_000_000, resume: { after: 'cs_test_9', passStartedAt: 1_700_000_100 } });
    expect(await sweeps.sweepCursor()).toEqual({ eventsSince: 1_700_000_000, resume: { after: 'cs_test_9', passStartedAt: 1_700_000_100 } });

    await sweeps.saveSweepCursor({ eventsSince: 1_700_000_500 });
    expect(await sweeps.sweepCursor()).toEqual({ eventsSince: 1_700_000_500 });
  });
});

describe('batched reads', () => {
  it('reads 150 orders in two requests and leaves out ids with no order', async () => {
    const stored = Array.from({ length: 150 }, () => anOrder());
    for (const order of stored) await orders.createOrder(order);
    const missing = randomUUID() as OrderId;
    const before = proxy.requests;

    const found = await sweeps.ordersForSweep([...stored.map((o) => o.orderId), missing]);

    expect(proxy.requests - before).toBe(2);
    expect(found.size).toBe(150);
    expect(found.get(stored[0]?.orderId as OrderId)).toEqual(stored[0]);
    expect(found.has(missing)).toBe(false);
  });

  it('reads once-only markers written by rememberEvent', async () => {
    const key = `mail:duplicate:cs_test_${randomUUID()}`;
    await orders.rememberEvent(key, 3600);

    expect(await sweeps.markersForSweep([key, 'mail:duplicate:cs_test_never'])).toEqual(new Set([key]));
  });

  it('asks again after throttling (the SDK retries it)', async () => {
    const order = anOrder();
    await orders.createOrder(order);
    proxy.fail(1, FAULTS.dynamoThrottled);

    expect((await sweeps.ordersForSweep([order.orderId])).get(order.orderId)).toEqual(order);
  });
});
