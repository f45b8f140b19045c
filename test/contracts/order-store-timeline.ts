/**
 * The order timeline's contract, run against both order stores: the DynamoDB adapter
 * (test/integration/adapters/dynamo-order-store.test.ts) and the in-memory store the unit tests
 * use (test/unit/in-memory/order-store.test.ts), so the two cannot drift. What `uplock orders
 * show` lists comes from it (core/operations.ts orderTimeline).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { TimelineEntry } from '../../lambdas/contract';
import type { OrderId } from '../../lambdas/core/ids';
import type { Order } from '../../lambdas/core/order';
import type { OrderStore } from '../../lambdas/ports/order-store';

export type TimelineStore = Pick<OrderStore, 'createOrder' | 'getOrder' | 'setPayment' | 'recordOrderEvent'>;

const anOrder = (): Order => ({
  orderId: randomUUID() as OrderId,
  email: `buyer-${randomUUID()}@example.com`,
  fileName: 'data.csv',
  size: 10,
  lang: 'en',
  createdAt: new Date().toISOString(),
  job: 'done',
  primaryArtifact: 'report.html',
  payment: 'unpaid',
  expiresAt: Math.floor(Date.now() / 1000) + 3600,
});

const record = { sessionId: 'cs_test_1', amount: 900, currency: 'usd', paymentIntentId: 'pi_1', payerEmail: 'payer@example.com' };

/** `store()` is called inside each test (after the suite's beforeAll has set it up). */
export function describeTimelineContract(name: string, store: () => TimelineStore): void {
  describe(`${name}: the order timeline (contract)`, () => {
    const kindsAndDetails = async (orderId: OrderId) => ((await store().getOrder(orderId))?.history ?? []).map((e) => [e.kind, e.detail]);

    it('setPayment notes a delayed payment starting and failing, once each however often the event is replayed; a later payment adds none', async () => {
      const order = anOrder();
      await store().createOrder(order);

      expect(await store().setPayment(order.orderId, 'pending', record)).toBe(true);
      expect(await store().setPayment(order.orderId, 'pending', record)).toBe(false);
      expect(await store().setPayment(order.orderId, 'unpaid', undefined, { onlySession: 'cs_test_1' })).toBe(true);
      expect(await store().setPayment(order.orderId, 'unpaid', undefined, { onlySession: 'cs_test_1' })).toBe(false);
      expect(await store().setPayment(order.orderId, 'paid', { ...record, sessionId: 'cs_test_2' })).toBe(true);

      expect(await kindsAndDetails(order.orderId)).toEqual([
        ['payment_pending', { sessionId: 'cs_test_1' }],
        ['payment_failed', { sessionId: 'cs_test_1' }],
      ]);
      const history = (await store().getOrder(order.orderId))?.history ?? [];
      expect(history.every((e) => !Number.isNaN(Date.parse(e.at)))).toBe(true);
    });

    it('setPayment to paid or refunded adds no entry (those have fields of their own), nor does a refused move', async () => {
      const order = anOrder();
      await store().createOrder(order);

      expect(await store().setPayment(order.orderId, 'paid', record)).toBe(true);
      expect(await store().setPayment(order.orderId, 'unpaid', undefined, { onlySession: 'cs_test_1' })).toBe(false);
      expect(await store().setPayment(order.orderId, 'refunded')).toBe(true);

      expect(await store().getOrder(order.orderId)).toMatchObject({ payment: 'refunded', paymentIntentId: 'pi_1', refundedAt: expect.any(String) });
      expect(await kindsAndDetails(order.orderId)).toEqual([]);
    });

    it('recordOrderEvent appends entries in the order they come, after the payment entries already there', async () => {
      const order = anOrder();
      await store().createOrder(order);
      const refused: TimelineEntry = { at: '2026-12-01T10:00:00.000Z', kind: 'refund_refused', detail: { code: 'charge_already_refunded' } };
      const email: TimelineEntry = { at: '2026-12-01T10:00:01.000Z', kind: 'email', detail: { template: 'refund_refused', to: order.email } };

      await store().setPayment(order.orderId, 'pending', record);
      await store().recordOrderEvent(order.orderId, refused);
      await store().recordOrderEvent(order.orderId, email);

      const history = (await store().getOrder(order.orderId))?.history ?? [];
      expect(history.map((e) => e.kind)).toEqual(['payment_pending', 'refund_refused', 'email']);
      expect(history.slice(1)).toEqual([refused, email]);
    });

    it('recordOrderEvent on an unknown order adds nothing and does not throw', async () => {
      const orderId = randomUUID() as OrderId;

      await expect(store().recordOrderEvent(orderId, { at: new Date().toISOString(), kind: 'email' })).resolves.toBeUndefined();

      expect(await store().getOrder(orderId)).toBeUndefined();
    });
  });
}
