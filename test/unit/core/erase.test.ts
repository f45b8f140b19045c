/**
 * Erasure without servers: eraseOrder resumes after a kill and refuses a second erase; the Stripe
 * event core meets an erased order's tombstone (refund, dispute, the sweeper's old session, and a
 * new payment for the erased order) sanely.
 */
import { describe, expect, it } from 'vitest';
import { eraseOrder, type EraseBlobs, type EraseStore, type Tombstone } from '../../../lambdas/core/erase';
import type { OrderId } from '../../../lambdas/core/ids';
import type { Order } from '../../../lambdas/core/order';
import type { RefundRequest, SessionFacts } from '../../../lambdas/core/payment';
import { handleStripeEvent, type EventDeps, type EventStore } from '../../../lambdas/core/stripe-events';

const orderId = '3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b' as OrderId;
const order: Order = {
  orderId,
  email: 'buyer@example.com',
  fileName: 'a.csv',
  size: 10,
  lang: 'en',
  createdAt: '2026-01-01T00:00:00Z',
  job: 'done',
  payment: 'paid',
  paymentIntentId: 'pi_paid',
  expiresAt: 0,
};

class MemoryEraseStore implements EraseStore {
  orders = new Map<string, Order>([[orderId, order]]);
  tombstones = new Map<string, Tombstone>();
  tokens = new Set(['h1', 'h2']);
  /** Throw once this step is reached: a process killed there. */
  killAt?: 'deleteTokens' | 'deleteOrder';
  async getOrder(id: OrderId) {
    return this.orders.get(id);
  }
  async getTombstone(id: OrderId) {
    return this.tombstones.get(id);
  }
  async putTombstone(t: Tombstone) {
    if (!this.tombstones.has(t.orderId)) this.tombstones.set(t.orderId, t);
  }
  async tokenHashesOf() {
    return ['h1', 'h2'];
  }
  async deleteTokens(hashes: readonly string[]) {
    if (this.killAt === 'deleteTokens') throw new Error('killed');
    let n = 0;
    for (const h of hashes) if (this.tokens.delete(h)) n++;
    return n;
  }
  async deleteOrder(id: OrderId) {
    if (this.killAt === 'deleteOrder') throw new Error('killed');
    return this.orders.delete(id);
  }
}

class MemoryBlobs implements EraseBlobs {
  keys = new Set([`uploads/${orderId}/input`, `previews/${orderId}.json`, `results/${orderId}/report.html`]);
  async orderObjects() {
    return [...this.keys];
  }
  async deleteObjects(keys: readonly string[]) {
    for (const k of keys) this.keys.delete(k);
  }
}

describe('eraseOrder', () => {
  it('removes everything, keeps a tombstone without personal data, and refuses a second erase', async () => {
    const store = new MemoryEraseStore();
    const blobs = new MemoryBlobs();

    const first = await eraseOrder(orderId, { store, blobs, now: () => Date.parse('2026-02-01T00:00:00Z') });
    const second = await eraseOrder(orderId, { store, blobs });

    expect(first).toEqual({
      outcome: 'erased',
      erased: {
        orderId,
        removed: { order: true, tokens: 2, objects: [`uploads/${orderId}/input`, `previews/${orderId}.json`, `results/${orderId}/report.html`] },
        tombstone: { orderId, paymentIntentId: 'pi_paid', erasedAt: '2026-02-01T00:00:00.000Z' },
      },
    });
    expect(store.orders.size).toBe(0);
    expect(blobs.keys.size).toBe(0);
    expect(second).toEqual({ outcome: 'already_erased', tombstone: { orderId, paymentIntentId: 'pi_paid', erasedAt: '2026-02-01T00:00:00.000Z' } });
  });

  it.each(['deleteTokens', 'deleteOrder'] as const)('finishes on a second run after being killed at %s, keeping the first time', async (step) => {
    const store = new MemoryEraseStore();
    const blobs = new MemoryBlobs();
    store.killAt = step;

    await expect(eraseOrder(orderId, { store, blobs, now: () => Date.parse('2026-02-01T00:00:00Z') })).rejects.toThrow('killed');
    store.killAt = undefined;
    const resumed = await eraseOrder(orderId, { store, blobs, now: () => Date.parse('2026-03-01T00:00:00Z') });

    expect(resumed.outcome).toBe('erased');
    expect(store.orders.size).toBe(0);
    expect(store.tokens.size).toBe(0);
    expect(blobs.keys.size).toBe(0);
    expect(store.tombstones.get(orderId)?.erasedAt).toBe('2026-02-01T00:00:00.000Z');
  });

  it.each<[string, Partial<Order>]>([
    ['its job is running', { job: 'processing', jobClaim: { attempts: 1, expiresAt: Date.parse('2026-02-01T00:10:00Z') } }],
    ['a rerun is running', { rerunClaim: { revision: 2, expiresAt: Date.parse('2026-02-01T00:10:00Z') } }],
  ])('waits while %s (its files would be left behind), and erases once the claim has lapsed', async (_name, change) => {
    const store = new MemoryEraseStore();
    store.orders.set(orderId, { ...order, ...change });
    const blobs = new MemoryBlobs();

    const refused = await eraseOrder(orderId, { store, blobs, now: () => Date.parse('2026-02-01T00:00:00Z') });
    const later = await eraseOrder(orderId, { store, blobs, now: () => Date.parse('2026-02-01T00:11:00Z') });

    expect(refused).toEqual({ outcome: 'job_running', until: '2026-02-01T00:10:00.000Z' });
    expect(later.outcome).toBe('erased');
  });
});

describe('Stripe events for an erased order', () => {
  function eventDeps() {
    const refunds: RefundRequest[] = [];
    const reports: [string, string][] = [];
    const early: string[] = [];
    const store = {
      getOrder: async () => undefined,
      getTombstone: async (id: OrderId) => (id === orderId ? { orderId, paymentIntentId: 'pi_paid', erasedAt: '2026-02-01T00:00:00Z' } : undefined),
      orderIdForPaymentIntent: async (pi: string) => (pi === 'pi_paid' ? orderId : undefined),
      noteEarly: async (pi: string, what: string) => void early.push(`${pi}:${what}`),
      // No refund of these was ever refused (core/stripe-events.ts requestRefund's once-marker).
      seenEvent: async () => false,
    } as unknown as EventStore;
    const deps = {
      store,
      mailer: { send: async () => undefined },
      settings: { siteUrl: 'http://shop', productName: 'P', downloadLimit: 5, linkTtlHours: 168 },
      tokenKey: async () => new Uint8Array(32),
      payments: { refund: async (r: RefundRequest) => (refunds.push(r), { id: 're_1', status: 'succeeded' }) },
      expected: { amount: 900, currency: 'usd', livemode: false, paymentLinkId: 'plink_1' },
      paymentMode: 'payment-link',
      report: (level: string, message: string) => void reports.push([level, message]),
    } as unknown as EventDeps;
    return { deps, refunds, reports, early };
  }

  const session = (paymentIntent: string): SessionFacts => ({
    id: `cs_test_${paymentIntent}`,
    client_reference_id: orderId,
    payment_link: 'plink_1',
    amount_total: 900,
    currency: 'usd',
    livemode: false,
    payment_status: 'paid',
    status: 'complete',
    payment_intent: paymentIntent,
    customer_details: { email: 'buyer@example.com' },
  });

  it('recognises a full refund of the erased order and parks nothing', async () => {
    const { deps, early } = eventDeps();

    const outcome = await handleStripeEvent(
      { id: 'evt_1', type: 'charge.refunded', data: { object: { id: 'ch_1', payment_intent: 'pi_paid', amount: 900, amount_refunded: 900, refunded: true } } },
      deps,
    );

    expect(outcome).toBe('erased_order');
    expect(early).toEqual([]);
  });

  it('still alerts the operator to a dispute of the erased order', async () => {
    const { deps, reports } = eventDeps();

    const outcome = await handleStripeEvent(
      { id: 'evt_2', type: 'charge.dispute.created', data: { object: { id: 'dp_1', charge: 'ch_1', payment_intent: 'pi_paid', reason: 'fraudulent' } } },
      deps,
    );

    expect(outcome).toBe('erased_order');
    expect(reports).toContainEqual(['error', 'payment of an erased order disputed: respond in the Stripe Dashboard']);
  });

  it('leaves the session the order was paid with alone (the sweeper sees it for days)', async () => {
    const { deps, refunds } = eventDeps();

    const outcome = await handleStripeEvent({ id: 'evt_3', type: 'checkout.session.completed', data: { object: session('pi_paid') } }, deps);

    expect(outcome).toBe('erased_order');
    expect(refunds).toEqual([]);
  });

  it('refunds a new payment for the erased order in full, once per session', async () => {
    const { deps, refunds } = eventDeps();

    const outcome = await handleStripeEvent({ id: 'evt_4', type: 'checkout.session.completed', data: { object: session('pi_new') } }, deps);

    expect(outcome).toBe('refunded_erased');
    expect(refunds).toEqual([expect.objectContaining({ paymentIntentId: 'pi_new', idempotencyKey: 'uplock-erased-cs_test_pi_new' })]);
  });
});
