/**
 * The operator's actions without servers (core/operations.ts): extending links (revoked ones
 * left alone, expired ones counted from now, a download racing the write), refund refusals, and
 * the timeline built from the order's times and its history.
 */
import { describe, expect, it } from 'vitest';
import type { TimelineEntry } from '../../../lambdas/contract';
import type { OrderId } from '../../../lambdas/core/ids';
import type { LookupToken } from '../../../lambdas/core/lookup';
import { extendOrderLinks, orderTimeline, refundOrderPayment, type ExtendDeps } from '../../../lambdas/core/operations';
import type { Order } from '../../../lambdas/core/order';
import type { RefundRequest } from '../../../lambdas/core/payment';

const orderId = '3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b' as OrderId;
const NOW = Date.parse('2026-03-01T00:00:00Z');
const nowSeconds = NOW / 1000;
const paid: Order = {
  orderId,
  email: 'buyer@example.com',
  fileName: 'a.csv',
  size: 10,
  lang: 'en',
  createdAt: '2026-02-01T00:00:00.000Z',
  job: 'done',
  primaryArtifact: 'report.html',
  payment: 'paid',
  paymentIntentId: 'pi_1',
  expiresAt: 0,
};

class MemoryTokens {
  history: TimelineEntry[] = [];
  /** Simulates a download landing between the read and the conditional write, once. */
  raceOnce = false;
  constructor(
    public order: Order,
    public tokens: LookupToken[],
  ) {}
  deps(): ExtendDeps {
    return {
      now: () => NOW,
      store: {
        getOrder: async () => this.order,
        recordOrderEvent: async (_id, entry) => void this.history.push(entry),
        tokensOfOrder: async () => this.tokens.map((t) => ({ ...t })),
        extendToken: async (hash, expected, next) => {
          const i = this.tokens.findIndex((t) => t.hash === hash);
          const token = this.tokens[i];
          if (!token) return false;
          if (this.raceOnce) {
            this.raceOnce = false;
            this.tokens[i] = { ...token, downloadsLeft: token.downloadsLeft - 1 };
            return false;
          }
          if (token.revoked || token.downloadsLeft !== expected.downloadsLeft || token.expiresAt !== expected.expiresAt) return false;
          this.tokens[i] = { ...token, ...next };
          return true;
        },
      },
    };
  }
}

const token = (hash: string, downloadsLeft: number, expiresAt: number, revoked = false): LookupToken => ({ hash, orderId, downloadsLeft, expiresAt, revoked });

describe('extendOrderLinks', () => {
  it('adds downloads and days to live links, counts days from now for expired ones, leaves revoked ones', async () => {
    const store = new MemoryTokens(paid, [token('live', 2, nowSeconds + 86400), token('expired', 0, nowSeconds - 86400), token('revoked', 5, nowSeconds + 86400, true)]);

    const result = await extendOrderLinks(orderId, { downloads: 3, days: 7 }, store.deps());

    expect(store.tokens).toEqual([
      token('live', 5, nowSeconds + 8 * 86400),
      token('expired', 3, nowSeconds + 7 * 86400),
      token('revoked', 5, nowSeconds + 86400, true),
    ]);
    expect(result.revoked).toBe(1);
    expect(result.extended.map((l) => l.downloadsLeft)).toEqual([5, 3]);
    expect(store.history).toEqual([{ at: new Date(NOW).toISOString(), kind: 'extended', detail: { downloads: 3, days: 7, links: 2 } }]);
  });

  it('keeps a download that lands between its read and its write', async () => {
    const store = new MemoryTokens(paid, [token('live', 4, nowSeconds + 86400)]);
    store.raceOnce = true;

    await extendOrderLinks(orderId, { downloads: 1 }, store.deps());

    expect(store.tokens[0]?.downloadsLeft).toBe(4);
  });

  it.each<[string, Partial<Order>, string]>([
    ['a refunded order', { payment: 'refunded' }, 'refunded'],
    ['a disputed order', { disputedAt: '2026-02-10T00:00:00Z' }, 'disputed'],
  ])('refuses %s', async (_name, change, code) => {
    const store = new MemoryTokens({ ...paid, ...change }, [token('live', 2, nowSeconds + 86400)]);

    await expect(extendOrderLinks(orderId, { days: 1 }, store.deps())).rejects.toMatchObject({ name: 'OperationRefused', code });
    expect(store.tokens[0]?.downloadsLeft).toBe(2);
  });

  it('refuses an order without links yet', async () => {
    const store = new MemoryTokens(paid, []);

    await expect(extendOrderLinks(orderId, { days: 1 }, store.deps())).rejects.toMatchObject({ code: 'no_links' });
  });
});

describe('refundOrderPayment', () => {
  const deps = (order: Order, refunds: RefundRequest[]) => ({
    store: { getOrder: async () => order, recordOrderEvent: async () => undefined },
    payments: { refund: async (r: RefundRequest) => (refunds.push(r), { id: 're_1', status: 'succeeded' }) },
  });

  it.each<[string, Partial<Order>, string]>([
    ['unpaid', { payment: 'unpaid' }, 'not_paid'],
    ['settling', { payment: 'pending' }, 'not_paid'],
    ['disputed', { disputedAt: '2026-02-10T00:00:00Z' }, 'disputed'],
    ['without a payment intent', { paymentIntentId: undefined }, 'no_payment_intent'],
  ])('refuses an order that is %s and calls Stripe for nothing', async (_name, change, code) => {
    const refunds: RefundRequest[] = [];

    await expect(refundOrderPayment(orderId, undefined, deps({ ...paid, ...change }, refunds))).rejects.toMatchObject({ code });
    expect(refunds).toEqual([]);
  });

  it("refunds with the order's own idempotency key, and not again once refunded", async () => {
    const refunds: RefundRequest[] = [];

    const first = await refundOrderPayment(orderId, 'wrong file', deps(paid, refunds));
    const after = await refundOrderPayment(orderId, 'wrong file', deps({ ...paid, payment: 'refunded' }, refunds));

    expect(first).toEqual({ orderId, outcome: 'requested', refundId: 're_1', status: 'succeeded' });
    expect(refunds).toEqual([
      { paymentIntentId: 'pi_1', reason: 'requested_by_customer', idempotencyKey: `uplock-operator-refund-${orderId}`, metadata: { uplock_order: orderId, uplock_reason: 'wrong file' } },
    ]);
    expect(after.outcome).toBe('already_refunded');
  });
});

describe('orderTimeline', () => {
  it('lists the recorded times and the history, oldest first', () => {
    const order: Order = {
      ...paid,
      jobStartedAt: '2026-02-01T00:00:01.000Z',
      jobEndedAt: '2026-02-01T00:00:03.000Z',
      paidAt: '2026-02-01T00:05:00.000Z',
      sessionId: 'cs_test_1',
      amount: 900,
      currency: 'usd',
      deliveredAt: '2026-02-01T00:05:01.000Z',
      refundedAt: '2026-02-03T00:00:00.000Z',
      history: [
        { at: '2026-02-02T00:00:00.000Z', kind: 'download', detail: { file: 'report.html' } },
        { at: '2026-02-03T00:00:01.000Z', kind: 'email', detail: { template: 'refund_refunded' } },
      ],
    };

    const kinds = orderTimeline(order).map((e) => `${e.kind}@${e.at.slice(8, 19)}`);

    expect(kinds).toEqual([
      'created@01T00:00:00',
      'uploaded@01T00:00:01',
      'job_done@01T00:00:03',
      'paid@01T00:05:00',
      'delivered@01T00:05:01',
      'email@01T00:05:01',
      'download@02T00:00:00',
      'refunded@03T00:00:00',
      'email@03T00:00:01',
    ]);
  });
});
