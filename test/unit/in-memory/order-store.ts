/**
 * The order table's ports in memory (what core declares: EventStore, JobStore, CheckoutStore, SweepStore,
 * and the timeline and rerun claim of OperationsStore), with the conditions of the DynamoDB adapters
 * (lambdas/adapters/dynamo-order-store.ts, dynamo-sweep-store.ts) written out as code: each method
 * is one conditional single-item write, `false` when its condition does not hold. Core runs on it
 * without servers (test/unit/core/*.test.ts).
 *
 * `writes` counts every write request the DynamoDB adapter would send, refused ones included
 * (DynamoDB bills a refused conditional write as a write), so a test can say "no write".
 * `loseNextReply(method)` makes the next call of that method land but answer as the SDK's retry
 * of a request whose reply was lost does: "condition failed".
 */
import type { OpenCheckout } from '../../../lambdas/core/checkout';
import type { DeliveryToken } from '../../../lambdas/core/delivery';
import type { OrderId } from '../../../lambdas/core/ids';
import type { JobClaim, JobClaimRequest } from '../../../lambdas/core/job';
import type { TimelineEntry } from '../../../lambdas/contract';
import { canMoveJob, canMovePayment, paymentTimelineEntry, type JobError, type Order, type PaymentState } from '../../../lambdas/core/order';
import type { EarlyEvents, PaymentRecordFacts } from '../../../lambdas/core/stripe-events';
import type { SweepCursor, SweepLease, SweepStore } from '../../../lambdas/core/sweep';
import type { CheckoutStore } from '../../../lambdas/core/checkout';
import type { JobStore } from '../../../lambdas/core/job';
import type { EventStore } from '../../../lambdas/core/stripe-events';
import type { OperationsStore } from '../../../lambdas/core/operations';
import type { ConsumeResult } from '../../../lambdas/ports/order-store';
import { Killed } from './killed';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface PaymentIntentItem {
  orderId?: OrderId;
  refunded?: boolean;
  disputed?: boolean;
}

/** What core's use cases need of the OrderStore port (EventStore, JobStore, CheckoutStore), the download's token calls, and SweepStore. */
export class InMemoryOrderStore implements EventStore, JobStore, CheckoutStore, SweepStore, Pick<OperationsStore, 'recordOrderEvent' | 'claimRerun' | 'finishRerun' | 'releaseRerun'> {
  readonly orders = new Map<OrderId, Order>();
  readonly tokenHashes = new Map<OrderId, string[]>();
  readonly tokens = new Map<string, DeliveryToken>();
  readonly markers = new Map<string, number>();
  readonly paymentIntents = new Map<string, PaymentIntentItem>();
  readonly rates = new Map<string, number>();
  lease: SweepLease | undefined;
  cursor: SweepCursor | undefined;
  writes = 0;
  reads = 0;
  private readonly lostReplies = new Set<string>();
  private killAfter: { method: 'setPayment'; when: (to: PaymentState) => boolean } | undefined;

  constructor(private readonly clock: () => number = Date.now) {}

  /** The next call of `method` is applied, then answers "condition failed" (a lost reply, retried by the SDK). */
  loseNextReply(method: 'claimDelivery' | 'takeSweepLease'): void {
    this.lostReplies.add(method);
  }

  /** The next `setPayment` to `to` (as `when` says) lands, then the process dies before it answers. */
  killAfterWrite(method: 'setPayment', when: (to: PaymentState) => boolean): void {
    this.killAfter = { method, when };
  }

  private lost(method: string): boolean {
    return this.lostReplies.delete(method);
  }

  private write(): void {
    this.writes++;
  }

  private update(orderId: OrderId, change: (order: Mutable<Order>) => void): void {
    const order = { ...(this.orders.get(orderId) as Order) } as Mutable<Order>;
    change(order);
    this.orders.set(orderId, order);
  }

  async createOrder(order: Order): Promise<void> {
    this.write();
    if (this.orders.has(order.orderId)) throw Object.assign(new Error('exists'), { name: 'ConditionalCheckFailedException' });
    this.orders.set(order.orderId, order);
  }

  async getOrder(orderId: OrderId): Promise<Order | undefined> {
    this.reads++;
    return this.orders.get(orderId);
  }

  // --- job (core/job.ts JobStore) ---

  async startJob(orderId: OrderId, claim: JobClaimRequest): Promise<JobClaim | undefined> {
    this.write();
    const o = this.orders.get(orderId);
    if (!o) return undefined;
    const expired = o.job === 'processing' && (o.jobClaim?.expiresAt ?? 0) < claim.now && (o.jobClaim?.attempts ?? 0) < claim.maxAttempts;
    if (o.job !== 'awaiting_upload' && !expired) return undefined;
    const attempts = (o.jobClaim?.attempts ?? 0) + 1;
    this.update(orderId, (x) => {
      x.job = 'processing';
      x.jobStartedAt = new Date(claim.now).toISOString();
      x.jobClaim = { attempts, expiresAt: claim.expiresAt };
      delete x.jobProgress;
    });
    return { attempt: attempts };
  }

  private moveJob(orderId: OrderId, to: Order['job'], attempt: number | undefined, change: (o: Mutable<Order>) => void): boolean {
    this.write();
    const o = this.orders.get(orderId);
    if (!o || !canMoveJob(o.job, to)) return false;
    if (attempt !== undefined && o.jobClaim?.attempts !== attempt) return false;
    this.update(orderId, (x) => {
      x.job = to;
      // The adapter removes the claim's expiry and keeps its attempt count.
      if (x.jobClaim) x.jobClaim = { attempts: x.jobClaim.attempts, expiresAt: 0 };
      change(x);
    });
    return true;
  }

  async finishJob(orderId: OrderId, primaryArtifact: string, attempt?: number): Promise<boolean> {
    return this.moveJob(orderId, 'done', attempt, (x) => {
      x.primaryArtifact = primaryArtifact;
      x.jobProgress = 100;
    });
  }

  async failJob(orderId: OrderId, error: JobError, attempt?: number): Promise<boolean> {
    return this.moveJob(orderId, 'failed', attempt, (x) => {
      x.jobError = { code: error.code, message: error.message };
    });
  }

  async setJobProgress(orderId: OrderId, attempt: number, progress: number): Promise<void> {
    this.write();
    const o = this.orders.get(orderId);
    if (o?.job === 'processing' && o.jobClaim?.attempts === attempt) this.update(orderId, (x) => void (x.jobProgress = progress));
  }

  async expiredJobs(now: number, limit: number): Promise<Order[]> {
    return [...this.orders.values()].filter((o) => o.job === 'processing' && (o.jobClaim?.expiresAt ?? 0) < now).slice(0, limit);
  }

  // --- the timeline and the operator's rerun (core/operations.ts OperationsStore) ---

  /** Append to the order's history; an unknown order gets nothing (the adapter's condition fails quietly). */
  async recordOrderEvent(orderId: OrderId, entry: TimelineEntry): Promise<void> {
    this.write();
    if (!this.orders.has(orderId)) return;
    this.update(orderId, (x) => void (x.history = [...(x.history ?? []), entry]));
  }

  async claimRerun(orderId: OrderId, revision: number, now: number, expiresAt: number): Promise<boolean> {
    this.write();
    const o = this.orders.get(orderId);
    if (!o || o.job !== 'done') return false;
    if (o.rerunClaim && !(o.rerunClaim.expiresAt < now)) return false;
    this.update(orderId, (x) => void (x.rerunClaim = { revision, expiresAt }));
    return true;
  }

  async finishRerun(orderId: OrderId, revision: number, primaryArtifact: string, resultFiles: readonly string[]): Promise<boolean> {
    this.write();
    if (this.orders.get(orderId)?.rerunClaim?.revision !== revision) return false;
    this.update(orderId, (x) => {
      x.resultRevision = revision;
      x.primaryArtifact = primaryArtifact;
      x.resultFiles = [...resultFiles];
      delete x.rerunClaim;
    });
    return true;
  }

  async releaseRerun(orderId: OrderId, revision: number): Promise<void> {
    this.write();
    if (this.orders.get(orderId)?.rerunClaim?.revision === revision) this.update(orderId, (x) => void delete x.rerunClaim);
  }

  // --- payment and delivery (core/stripe-events.ts EventStore, core/delivery.ts DeliveryStore) ---

  async setPayment(orderId: OrderId, to: PaymentState, record?: PaymentRecordFacts, opts?: { onlySession?: string }): Promise<boolean> {
    this.write();
    const o = this.orders.get(orderId);
    if (!o || !canMovePayment(o.payment, to)) return false;
    if (opts?.onlySession !== undefined && o.sessionId !== opts.onlySession) return false;
    this.update(orderId, (x) => {
      x.payment = to;
      if (record) {
        x.sessionId = record.sessionId;
        x.amount = record.amount;
        x.currency = record.currency;
        if (record.paymentIntentId) x.paymentIntentId = record.paymentIntentId;
        if (record.payerEmail) x.payerEmail = record.payerEmail;
      }
      if (to === 'refunded') x.refundedAt = new Date(this.clock()).toISOString();
      // As the adapter: a delayed payment starting or failing goes on the timeline in the same write.
      const entry = paymentTimelineEntry(to, new Date(this.clock()).toISOString(), record?.sessionId ?? opts?.onlySession);
      if (entry) x.history = [...(x.history ?? []), entry];
    });
    if (this.killAfter?.method === 'setPayment' && this.killAfter.when(to)) {
      this.killAfter = undefined;
      throw new Killed(`after setPayment(${to})`);
    }
    return true;
  }

  async claimDelivery(orderId: OrderId, claimId: string, now: number, staleBefore: number): Promise<boolean> {
    this.write();
    const o = this.orders.get(orderId);
    if (!o || o.job !== 'done' || o.payment !== 'paid' || o.deliveredAt || o.disputedAt) return false;
    if (o.deliveryClaim && !(o.deliveryClaim.at < staleBefore)) return false;
    this.update(orderId, (x) => void (x.deliveryClaim = { id: claimId, at: now }));
    return !this.lost('claimDelivery');
  }

  async releaseDelivery(orderId: OrderId, claimId: string): Promise<void> {
    this.write();
    if (this.orders.get(orderId)?.deliveryClaim?.id === claimId) this.update(orderId, (x) => void delete x.deliveryClaim);
  }

  async markDelivered(orderId: OrderId, claimId: string, tokenHash: string, at: string): Promise<boolean> {
    this.write();
    const o = this.orders.get(orderId);
    if (!o || o.deliveryClaim?.id !== claimId || o.deliveredAt) return false;
    this.update(orderId, (x) => {
      x.deliveredAt = at;
      // The adapter removes claimAt and keeps claimId: the order no longer shows a claim.
      delete x.deliveryClaim;
    });
    this.tokenHashes.set(orderId, [...(this.tokenHashes.get(orderId) ?? []), tokenHash]);
    return true;
  }

  async putToken(token: DeliveryToken): Promise<void> {
    this.write();
    const existing = this.tokens.get(token.hash);
    if (!existing) {
      this.tokens.set(token.hash, token);
      return;
    }
    if (existing.orderId !== token.orderId) throw new Error('download token hash already belongs to another order');
  }

  async consumeToken(hash: string, nowSeconds: number): Promise<ConsumeResult> {
    this.write();
    const token = this.tokens.get(hash);
    if (!token) return { ok: false };
    if (token.downloadsLeft > 0 && token.expiresAt > nowSeconds && !token.revoked) {
      const next = { ...token, downloadsLeft: token.downloadsLeft - 1 };
      this.tokens.set(hash, next);
      return { ok: true, token: next };
    }
    return { ok: false, token };
  }

  async attachToken(token: DeliveryToken): Promise<void> {
    await this.putToken(token);
    this.write();
    this.tokenHashes.set(token.orderId, [...(this.tokenHashes.get(token.orderId) ?? []), token.hash]);
  }

  async revokeTokens(orderId: OrderId): Promise<number> {
    const hashes = this.tokenHashes.get(orderId) ?? [];
    for (const hash of hashes) {
      this.write();
      const token = this.tokens.get(hash);
      if (token) this.tokens.set(hash, { ...token, revoked: true });
    }
    return hashes.length;
  }

  async markDisputed(orderId: OrderId): Promise<boolean> {
    this.write();
    const o = this.orders.get(orderId);
    if (!o) return false;
    if (!o.disputedAt) this.update(orderId, (x) => void (x.disputedAt = new Date(this.clock()).toISOString()));
    return true;
  }

  async linkPaymentIntent(paymentIntentId: string, orderId: OrderId): Promise<EarlyEvents> {
    this.write();
    const item = { ...this.paymentIntents.get(paymentIntentId), orderId };
    this.paymentIntents.set(paymentIntentId, item);
    return { ...(item.refunded ? { refunded: true } : {}), ...(item.disputed ? { disputed: true } : {}) };
  }

  async noteEarly(paymentIntentId: string, what: keyof EarlyEvents): Promise<void> {
    this.write();
    this.paymentIntents.set(paymentIntentId, { ...this.paymentIntents.get(paymentIntentId), [what]: true });
  }

  async orderIdForPaymentIntent(paymentIntentId: string): Promise<OrderId | undefined> {
    this.reads++;
    return this.paymentIntents.get(paymentIntentId)?.orderId;
  }

  async rememberEvent(key: string, ttlSeconds: number): Promise<boolean> {
    this.write();
    const expires = this.markers.get(key);
    // The adapter's condition is attribute_not_exists; DynamoDB's TTL deletes the item at last.
    if (expires !== undefined && expires > this.clock() / 1000) return false;
    this.markers.set(key, Math.floor(this.clock() / 1000) + ttlSeconds);
    return true;
  }

  async seenEvent(key: string): Promise<boolean> {
    this.reads++;
    const expires = this.markers.get(key);
    return expires !== undefined && expires > this.clock() / 1000;
  }

  async forgetEvent(key: string): Promise<void> {
    this.write();
    this.markers.delete(key);
  }

  // --- checkout-session mode (core/checkout.ts CheckoutStore) ---

  async setCheckoutSession(orderId: OrderId, session: OpenCheckout, replacing?: string): Promise<boolean> {
    this.write();
    const o = this.orders.get(orderId);
    if (!o) return false;
    if (replacing ? o.checkoutSession?.id !== replacing : o.checkoutSession !== undefined) return false;
    this.update(orderId, (x) => void (x.checkoutSession = session));
    return true;
  }

  async clearCheckoutSession(orderId: OrderId, sessionId: string): Promise<void> {
    this.write();
    if (this.orders.get(orderId)?.checkoutSession?.id === sessionId) this.update(orderId, (x) => void delete x.checkoutSession);
  }

  // --- the handlers' own (ports/order-store.ts) ---

  async ordersByEmail(email: string, limit: number): Promise<Order[]> {
    return [...this.orders.values()]
      .filter((o) => o.email === email)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .slice(0, limit);
  }

  async hitRateLimit(key: string, limit: number, windowSeconds: number): Promise<boolean> {
    this.write();
    const slot = `${key}#${Math.floor(this.clock() / 1000 / windowSeconds)}`;
    const hits = this.rates.get(slot) ?? 0;
    if (hits >= limit) return false;
    this.rates.set(slot, hits + 1);
    return true;
  }

  // --- the sweeper (core/sweep.ts SweepStore) ---

  async takeSweepLease(owner: string, now: number, until: number): Promise<boolean> {
    this.write();
    if (this.lease && !(this.lease.until < now)) return false;
    this.lease = { owner, until };
    return !this.lost('takeSweepLease');
  }

  async sweepLease(): Promise<SweepLease | undefined> {
    this.reads++;
    return this.lease;
  }

  async releaseSweepLease(owner: string): Promise<void> {
    this.write();
    if (this.lease?.owner === owner) this.lease = undefined;
  }

  async sweepCursor(): Promise<SweepCursor | undefined> {
    this.reads++;
    return this.cursor;
  }

  async saveSweepCursor(cursor: SweepCursor): Promise<void> {
    this.write();
    this.cursor = cursor;
  }

  async ordersForSweep(orderIds: readonly OrderId[]): Promise<ReadonlyMap<OrderId, Order>> {
    this.reads += Math.ceil(orderIds.length / 100);
    const found = new Map<OrderId, Order>();
    for (const id of orderIds) {
      const order = this.orders.get(id);
      if (order) found.set(id, order);
    }
    return found;
  }

  async markersForSweep(keys: readonly string[]): Promise<ReadonlySet<string>> {
    this.reads += Math.ceil(keys.length / 100);
    return new Set(keys.filter((k) => this.markers.has(k)));
  }
}
