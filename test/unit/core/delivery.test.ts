/**
 * deliverIfDue without servers: a store in memory with the same conditional semantics as the
 * DynamoDB adapter's claim, mark and token writes.
 */
import { describe, expect, it } from 'vitest';
import { deliverIfDue, type DeliveryDeps, type DeliveryStore, type DeliveryToken } from '../../../lambdas/core/delivery';
import type { EmailMessage } from '../../../lambdas/core/emails';
import type { OrderId } from '../../../lambdas/core/ids';
import { DELIVERY_CLAIM_TTL_MS, type Order } from '../../../lambdas/core/order';

const orderId = '3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b' as OrderId;

class MemoryDeliveryStore implements DeliveryStore {
  readonly tokens = new Map<string, DeliveryToken>();
  /** Simulates the SDK retrying a claim whose first reply was lost: the write lands, the answer says "condition failed". */
  loseNextClaimReply = false;
  constructor(public order: Order) {}
  async getOrder(): Promise<Order | undefined> {
    return this.order;
  }
  async claimDelivery(_id: OrderId, claimId: string, now: number, staleBefore: number): Promise<boolean> {
    const o = this.order;
    if (o.job !== 'done' || o.payment !== 'paid' || o.deliveredAt || o.disputedAt) return false;
    if (o.deliveryClaim && o.deliveryClaim.at >= staleBefore) return false;
    this.order = { ...o, deliveryClaim: { id: claimId, at: now } };
    if (this.loseNextClaimReply) {
      this.loseNextClaimReply = false;
      return false;
    }
    return true;
  }
  async releaseDelivery(_id: OrderId, claimId: string): Promise<void> {
    if (this.order.deliveryClaim?.id === claimId) {
      const { deliveryClaim: _c, ...rest } = this.order;
      this.order = rest;
    }
  }
  async markDelivered(_id: OrderId, claimId: string, _hash: string, at: string): Promise<boolean> {
    if (this.order.deliveryClaim?.id !== claimId || this.order.deliveredAt) return false;
    this.order = { ...this.order, deliveredAt: at };
    return true;
  }
  async putToken(token: DeliveryToken): Promise<void> {
    if (!this.tokens.has(token.hash)) this.tokens.set(token.hash, token);
  }
}

const paidOrder: Order = {
  orderId,
  email: 'buyer@example.com',
  fileName: 'a.csv',
  size: 10,
  lang: 'en',
  createdAt: '2026-01-01T00:00:00Z',
  job: 'done',
  payment: 'paid',
  expiresAt: 0,
};

function deps(store: MemoryDeliveryStore, sent: EmailMessage[], now: () => number, crashAfterSend = false): DeliveryDeps {
  return {
    store,
    mailer: { send: async (_to, message) => void sent.push(message) },
    settings: { siteUrl: 'https://shop.example', productName: 'Report', downloadLimit: 5, linkTtlHours: 168 },
    tokenKey: async () => new Uint8Array(32).fill(7),
    fault: (step) => {
      if (crashAfterSend && step === 'delivery:sent') throw new Error('killed');
    },
    now,
  };
}

const linkIn = (m: EmailMessage | undefined) => /\/d\/[A-Za-z0-9_-]{43}/.exec(JSON.stringify(m))?.[0];

describe('deliverIfDue', () => {
  it('a delivery killed after the email and retried after the claim expired mails the same link, one token', async () => {
    const store = new MemoryDeliveryStore(paidOrder);
    const sent: EmailMessage[] = [];
    let t = 1_000_000;
    await expect(deliverIfDue(orderId, deps(store, sent, () => t, true))).rejects.toThrow('killed');
    expect(store.order.deliveredAt).toBeUndefined();
    // Before the claim expires nobody delivers; after, the retry does.
    expect(await deliverIfDue(orderId, deps(store, sent, () => t))).toBe('claimed_elsewhere');
    t += DELIVERY_CLAIM_TTL_MS + 1;
    expect(await deliverIfDue(orderId, deps(store, sent, () => t))).toBe('delivered');
    expect(sent).toHaveLength(2);
    expect(linkIn(sent[0])).toBeDefined();
    expect(linkIn(sent[1])).toBe(linkIn(sent[0]));
    expect(store.tokens.size).toBe(1);
  });

  it('a claim whose reply was lost and retried is ours, not a lost race', async () => {
    const store = new MemoryDeliveryStore(paidOrder);
    store.loseNextClaimReply = true;
    const sent: EmailMessage[] = [];
    expect(await deliverIfDue(orderId, deps(store, sent, () => 1))).toBe('delivered');
    expect(sent).toHaveLength(1);
  });

  it('a failed send gives the claim back, and the retry mails the same link without resetting the token', async () => {
    const store = new MemoryDeliveryStore(paidOrder);
    const sent: EmailMessage[] = [];
    const failing = { ...deps(store, sent, () => 1), mailer: { send: async () => Promise.reject(new Error('SES down')) } };
    await expect(deliverIfDue(orderId, failing)).rejects.toThrow('SES down');
    const [hash] = [...store.tokens.keys()];
    store.tokens.set(hash as string, { ...(store.tokens.get(hash as string) as DeliveryToken), downloadsLeft: 4 });
    expect(await deliverIfDue(orderId, deps(store, sent, () => 2))).toBe('delivered');
    expect(store.tokens.size).toBe(1);
    expect(store.tokens.get(hash as string)?.downloadsLeft).toBe(4);
  });
});
